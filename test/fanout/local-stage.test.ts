import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PublishCommand } from '@aws-sdk/client-sns';
import { parse } from 'csv-parse/sync';
import { CONSUMER_ENV, consumerQueueNames } from '../../lib/fanout/constants.ts';
import { statePublishInput } from '../../lib/fanout/stream-processor.ts';
import { startFanoutStage, type FanoutStage } from '../../local-stage/fanout/index.ts';
import { driveMutations, sendMutation, type MutationResult } from '../../runner/fanout/drive.ts';
import { collectReport, currentVersion, runFanoutScenario } from '../../runner/fanout/run-fanout.ts';

const quiet = () => {};

async function getJson(port: number, route: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${route}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('fan-out local stage (4 tasks)', () => {
  let stage: FanoutStage;
  const started: number[] = [];

  before(async () => {
    stage = await startFanoutStage({
      tasks: 4,
      log: quiet,
      consumerEnv: {
        [CONSUMER_ENV.visibilityTimeoutS]: '1',
        [CONSUMER_ENV.maxReceives]: '2',
        [CONSUMER_ENV.checkIntervalMs]: '300',
      },
    });
    started.push(...stage.pids());
  });

  after(async () => {
    const pids = stage ? [...started, ...stage.pids()] : [];
    await stage?.stop();
    await until('every stage process to exit', () => pids.every((pid) => !alive(pid)), 5000);
  });

  test('every task reports healthy with the loaded state, applies each change once and ignores older versions', async () => {
    for (const task of stage.consumers.running()) {
      const health = await getJson(task.port, '/health');
      assert.equal(health.status, 200, JSON.stringify(health.body));
    }
    const from = await currentVersion(stage);
    const mutations = await driveMutations({ url: stage.graphqlUrl, stateId: stage.stateId, fromVersion: from, iterations: 10, intervalMs: 20 });
    assert.deepEqual(mutations.map((m) => m.error), Array(10).fill(undefined));
    const report = await collectReport(stage, mutations, 10_000);
    assert.equal(report.totals.expected, 40);
    assert.equal(report.totals.missing, 0, JSON.stringify(report.tasks));

    // An older version published again (a stream retry would do this) changes nothing.
    const last = mutations.at(-1)!;
    await stage.clients.sns.send(
      new PublishCommand(statePublishInput(stage.topicArn, { id: stage.stateId, version: from + 1, payload: { old: true }, writtenAt: Date.now() })),
    );
    await until('the stale deliveries', () => stage.consumers.deliveries.filter((d) => d.outcome === 'stale').length >= 4, 5000);
    for (const task of stage.consumers.running()) {
      const metrics = await getJson(task.port, '/metrics');
      assert.equal(metrics.body['version'], last.version);
      assert.equal((metrics.body['counters'] as Record<string, number>)['stale'], 1);
    }
    // The resolver's condition refuses a version that does not increase.
    const refused = await sendMutation(stage.graphqlUrl, stage.stateId, from + 2, { late: true });
    assert.match(refused.error ?? '', /conditional request failed/);
  });

  test('a SIGKILLed task loses nothing for the others; its replacement loads the last state, then applies every later change', async () => {
    const [victim] = stage.consumers.running();
    let replacementVersionAtStart: number | undefined;
    let replacement: Awaited<ReturnType<FanoutStage['consumers']['startTask']>> | undefined;
    const from = await currentVersion(stage);
    const mutations: MutationResult[] = await driveMutations({
      url: stage.graphqlUrl,
      stateId: stage.stateId,
      fromVersion: from,
      iterations: 30,
      intervalMs: 50,
      onSent: async (i) => {
        if (i === 9) await stage.consumers.killTask(victim!.taskId);
        if (i === 19) {
          replacementVersionAtStart = await currentVersion(stage);
          replacement = await stage.consumers.startTask();
        }
      },
    });
    const report = await collectReport(stage, mutations, 10_000);
    assert.equal(report.totals.missing, 0, JSON.stringify(report.tasks));
    assert.ok(replacement);
    assert.ok(
      replacement.loadedVersion !== null && replacement.loadedVersion >= replacementVersionAtStart!,
      `replacement loaded ${replacement.loadedVersion}, the record held ${replacementVersionAtStart} before it started`,
    );
    const afterReady = mutations.filter((m) => m.sentAt >= replacement!.readyAt);
    assert.ok(afterReady.length > 0, 'the replacement became ready before the run ended');
    const applied = new Set(stage.consumers.deliveries.filter((d) => d.taskId === replacement!.taskId).map((d) => d.version));
    for (const m of afterReady) assert.ok(applied.has(m.version), `replacement missed version ${m.version}`);
    const metrics = await getJson(replacement.port, '/metrics');
    assert.equal(metrics.body['version'], mutations.at(-1)!.version);
    for (const task of stage.consumers.running().filter((t) => t.taskId !== replacement!.taskId)) {
      const summary = report.tasks.find((t) => t.taskId === task.taskId)!;
      assert.equal(summary.delivered, 30);
    }
  });

  test("a poison message lands in that task's DLQ after the set receives; the task stays healthy (ECS would replace it), and its stop keeps the DLQ", async () => {
    const [target, other] = stage.consumers.running();
    const metrics = await getJson(target!.port, '/metrics');
    await stage.clients.sqs.send(new SendMessageCommand({ QueueUrl: String(metrics.body['queueUrl']), MessageBody: '{"not":"an SNS envelope"}' }));
    await until('the poison message in the DLQ', async () => (await getJson(target!.port, '/metrics')).body['dlqDepth'] === 1, 15_000);
    const health = await getJson(target!.port, '/health');
    assert.equal(health.status, 200, 'the container health check passes: the evidence must not be destroyed by a replacement');
    assert.match(JSON.stringify(health.body['warnings']), /1 message\(s\) in the DLQ/);
    assert.equal(health.body['dlqDepth'], 1);
    const counters = (await getJson(target!.port, '/metrics')).body['counters'] as Record<string, number>;
    assert.equal(counters['failed'], 2, 'received (and failed) exactly maxReceives = 2 times');
    assert.equal((await getJson(other!.port, '/health')).status, 200, 'other tasks stay healthy');
    const stopped = await stage.consumers.stopTask(target!.taskId);
    assert.equal(stopped.graceful, true);
    const names = consumerQueueNames(stage.namePrefix, target!.taskId);
    await assert.rejects(stage.clients.sqs.send(new GetQueueUrlCommand({ QueueName: names.queue })), /exist/i);
    const { QueueUrl } = await stage.clients.sqs.send(new GetQueueUrlCommand({ QueueName: names.dlq }));
    const kept = await stage.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(kept.Messages?.[0]?.Body, '{"not":"an SNS envelope"}', 'the poison message is still there to read');
  });

  test('scaling from 4 to 6 tasks and back during a run: every task present for a change applies it', async () => {
    const original = stage.consumers.running();
    assert.ok(original.length >= 3);
    const stopped: { taskId: string; code: number | null; graceful: boolean }[] = [];
    const from = await currentVersion(stage);
    const mutations = await driveMutations({
      url: stage.graphqlUrl,
      stateId: stage.stateId,
      fromVersion: from,
      iterations: 40,
      intervalMs: 50,
      onSent: async (i) => {
        if (i === 9) await stage.consumers.startTasks(2);
        if (i === 24) {
          for (const task of original.slice(0, 2)) stopped.push({ taskId: task.taskId, ...(await stage.consumers.stopTask(task.taskId)) });
        }
      },
    });
    const report = await collectReport(stage, mutations, 10_000);
    assert.equal(report.totals.missing, 0, JSON.stringify(report.tasks));
    const scaledUp = report.tasks.filter((t) => !original.some((o) => o.taskId === t.taskId) && t.expected > 0 && t.expected < 40);
    assert.ok(scaledUp.length >= 2, 'tasks started mid-run were expected to apply the later changes');
    for (const s of stopped) {
      assert.equal(s.graceful, true, `${s.taskId} drained within the stop timeout`);
      assert.equal(s.code, 0);
      await assert.rejects(stage.clients.sqs.send(new GetQueueUrlCommand({ QueueName: consumerQueueNames(stage.namePrefix, s.taskId).queue })), /exist/i);
    }
  });
});

describe('fanout-quick scenario (20 tasks)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'fanout-quick-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('runs 100 mutations to 20 tasks and writes summary.json, summary.csv and deliveries.csv', async (t) => {
    const result = await runFanoutScenario({ name: 'fanout-quick', resultsDir: dir, stage: 'local', log: quiet });
    const { summary } = result;
    assert.match(path.basename(result.runDir), /^\d{8}T\d{6}Z-fanout-quick$/);
    assert.equal(path.dirname(result.runDir), path.join(dir, 'local'));
    assert.equal(summary.schemaVersion, 1);
    assert.equal(summary.stage, 'local');
    assert.equal(summary.settings['tasks'], 20);
    assert.equal(summary.mutations.sent, 100);
    assert.equal(summary.totals.expected, summary.mutations.ok * 20);
    assert.equal(summary.totals.missing, 0);
    assert.equal(summary.mutations.ok, 100, summary.mutations.errors.join('; '));
    assert.equal(summary.hops.endToEnd.count, summary.totals.delivered);
    assert.ok(summary.clockCaveats.length > 0);
    t.diagnostic(`end to end p50 ${summary.hops.endToEnd.p50} ms, p99 ${summary.hops.endToEnd.p99} ms; requirement held: ${summary.requirement.held}`);

    const saved = JSON.parse(await readFile(path.join(result.runDir, 'summary.json'), 'utf8')) as typeof summary;
    assert.deepEqual(saved.totals, summary.totals);
    const csv = parse(await readFile(path.join(result.runDir, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.deepEqual(
      csv.filter((r) => r['section'] === 'hop').map((r) => r['name']),
      ['appsync', 'stream', 'sns', 'sqs', 'consume', 'endToEnd'],
    );
    assert.equal(csv.filter((r) => r['section'] === 'task').length, 20);
    const deliveries = parse(await readFile(path.join(result.runDir, 'deliveries.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.equal(deliveries.length, summary.totals.expected);
    assert.ok(deliveries.every((d) => d['outcome'] !== 'missing'));
  });
});
