import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CONSUMER_ENV } from '../../lib/fanout/constants.ts';
import { FANOUT_STACK_KEY } from '../../lib/fanout/outputs.ts';
import { startFanoutStage, type FanoutStage } from '../../local-stage/fanout/index.ts';
import { runFanoutOnAws } from '../../runner/fanout/aws.ts';
import { POISON_BODY } from '../../runner/fanout/faults.ts';
import { deliveriesCsv, fanoutSummaryCsv, type FanoutSummary } from '../../runner/fanout/files.ts';
import { LocalFleetControl } from '../../runner/fanout/fleet.ts';
import { readJournal } from '../../runner/fanout/journal.ts';
import { ECSClient } from '@aws-sdk/client-ecs';
import { startEcsStandIn } from '../../local-stage/fanout/ecs-standin.ts';
import { localClientConfig } from '../../local-stage/local-aws.ts';
import { EcsFleetControl } from '../../runner/fanout/fleet.ts';
import { localAliveOwners } from '../../runner/fanout/reaper.ts';
import { writeRunReport } from '../../runner/report/write.ts';
import { buildFanoutReport } from '../../runner/fanout/report.ts';

/**
 * The AWS collection path (receipts queue, roll calls, faults through a fleet control, DLQ reading,
 * orphan reaping) run against the local stage: its consumers send receipts to a fauxqs queue, the
 * runner's SQS and SNS clients point at fauxqs, the fleet is the local one. The same deliveries are
 * also read from the tasks' stdout (the local path): both must give the same files.
 */
describe('fan-out --stage aws collection path, on local stand-ins', () => {
  let stage: FanoutStage;
  let dir: string;
  let outputsFile: string;

  before(async () => {
    stage = await startFanoutStage({
      tasks: 4,
      receipts: true,
      log: () => {},
      consumerEnv: { [CONSUMER_ENV.visibilityTimeoutS]: '1', [CONSUMER_ENV.maxReceives]: '2', [CONSUMER_ENV.checkIntervalMs]: '300', [CONSUMER_ENV.waitTimeS]: '1' },
    });
    dir = mkdtempSync(path.join(tmpdir(), 'sst-fanout-aws-'));
    outputsFile = path.join(dir, 'outputs.json');
    writeFileSync(
      outputsFile,
      JSON.stringify({
        [FANOUT_STACK_KEY]: {
          graphqlUrl: stage.graphqlUrl,
          graphqlApiKey: 'local-key',
          topicArn: stage.topicArn,
          receiptsQueueUrl: stage.receiptsQueueUrl,
          tableName: stage.tableName,
          clusterName: 'local',
          serviceName: 'local',
          namePrefix: stage.namePrefix,
          region: 'us-east-1',
          processorKind: stage.processor,
          config: { dlqMaxReceiveCount: 2 },
        },
      }),
    );
  });
  after(async () => {
    await stage?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('collects every delivery through the receipts queue, injects the three faults, and writes the same files as the stdout path', async (t) => {
    const fleet = new LocalFleetControl(stage.consumers);
    const logs: string[] = [];
    const result = await runFanoutOnAws(
      { name: 'fanout-quick', outputsFile, iterations: 60, intervalMs: 100, faults: ['stop-task', 'scale', 'poison'], resultsDir: dir, log: (l) => logs.push(l), settleTimeoutMs: 15_000 },
      () => ({ sqs: stage.clients.sqs, sns: stage.clients.sns, fleet, aliveOwners: async (owners) => localAliveOwners(owners), receiveWaitTimeS: 1 }),
    );
    await fleet.settle();
    assert.equal(stage.consumers.running().length, 4, 'scaled back to 4 tasks');
    const { summary, report } = result;
    assert.equal(summary.stage, 'aws');
    assert.equal(path.dirname(result.runDir), path.join(dir, 'aws'));
    assert.equal(summary.complete, true);
    assert.equal(summary.mutations.ok, 60, summary.mutations.errors.join('; '));
    assert.equal(summary.totals.missing, 0, JSON.stringify(summary.tasks));
    assert.equal((summary.collection as { method: string }).method, 'receipts');
    const rollCalls = (summary.collection as { rollCalls: { label: string; expected: number; answered: number }[] }).rollCalls;
    assert.deepEqual(rollCalls.map((r) => [r.label, r.answered >= r.expected]), [['start', true], ['end', true]], JSON.stringify(rollCalls));

    // Faults: each injected, reported, and survived.
    const faults = summary.faults ?? [];
    assert.deepEqual(faults.map((f) => f.details['action']), ['scale-out', 'stop-task', 'poison', 'scale-in']);
    for (const f of faults) assert.equal(f.held, true, `${f.kind}: ${f.outcome}`);
    for (const f of faults) t.diagnostic(`${f.details['action']}: ${f.outcome}`);
    t.diagnostic(`delivered ${summary.totals.delivered}/${summary.totals.expected}, tasks ${report.tasks.length}`);
    const poisoned = faults.find((f) => f.kind === 'poison')!.details['taskId'] as string;
    const dlq = (summary.dlq ?? []).find((d) => d.taskId === poisoned);
    assert.ok(dlq && dlq.messages >= 1 && dlq.samples.includes(POISON_BODY), JSON.stringify(summary.dlq));
    const stopped = faults.find((f) => f.kind === 'stop-task')!;
    assert.ok(report.tasks.length >= 4 + 1 + 5, 'the replacement and the five added tasks are in the report');
    assert.match(stopped.outcome, /ready after it/);

    // Same deliveries, same files: rebuild the report from the tasks' stdout (the local path) with the
    // run's own mutations and task windows (from its journal).
    const journal = await readJournal(result.runDir);
    const fromStdout = buildFanoutReport({
      mutations: journal.mutations,
      deliveries: stage.consumers.deliveries,
      tasks: report.tasks.map((t) => ({ ...journal.windows.find((w) => w.taskId === t.taskId)!, dlqMessages: t.dlqMessages })),
      stateId: stage.stateId,
    });
    const runCsv = readFileSync(path.join(result.runDir, 'deliveries.csv'), 'utf8');
    assert.equal(runCsv, deliveriesCsv(fromStdout));
    const stdoutSummary: FanoutSummary = { ...summary, hops: fromStdout.hops, totals: fromStdout.totals, tasks: fromStdout.tasks, requirement: fromStdout.requirement };
    assert.equal(readFileSync(path.join(result.runDir, 'summary.csv'), 'utf8'), fanoutSummaryCsv(stdoutSummary));
    assert.ok(existsSync(path.join(result.runDir, 'summary.json')));
    assert.ok(journal.deliveries.length >= summary.totals.delivered, 'every delivery is in the journal');

    // The report shows the stage, the faults and the DLQ.
    const html = readFileSync(await writeRunReport(result.runDir), 'utf8');
    assert.match(html, /\[AWS\]/);
    assert.match(html, /Faults, DLQs and collection/);
    assert.match(html, /stop-task/);
    assert.ok(html.includes(poisoned));
  });

  test('the faults through ECS calls (a real ECS client against a stand-in backed by the local fleet)', async (t) => {
    const standIn = await startEcsStandIn({ fleet: stage.consumers, cluster: 'local', service: 'local', region: 'us-east-1' });
    const ecs = new ECSClient(localClientConfig(standIn.endpoint));
    try {
      const fleet = new EcsFleetControl(ecs, 'local', 'local');
      const before = await fleet.runningTaskIds();
      assert.deepEqual(before.sort(), stage.consumers.running().map((task) => task.taskId).sort());
      const result = await runFanoutOnAws(
        { name: 'fanout-quick', outputsFile, iterations: 40, intervalMs: 100, faults: ['stop-task', 'scale'], resultsDir: dir, log: () => {}, settleTimeoutMs: 15_000 },
        () => ({ sqs: stage.clients.sqs, sns: stage.clients.sns, fleet, aliveOwners: (owners) => fleet.aliveOwners(owners), receiveWaitTimeS: 1 }),
      );
      await standIn.settle();
      const { summary } = result;
      assert.equal(summary.totals.missing, 0, JSON.stringify(summary.tasks));
      assert.deepEqual((summary.faults ?? []).map((f) => [f.details['action'], f.held, f.error]), [
        ['scale-out', true, undefined],
        ['stop-task', true, undefined],
        ['scale-in', true, undefined],
      ]);
      for (const f of summary.faults ?? []) t.diagnostic(`${f.details['action']}: ${f.outcome}`);
      assert.equal(await fleet.desiredCount(), before.length, 'back to the desired count it started with');
      assert.equal(stage.consumers.running().length, before.length, 'and that many tasks run');
      const stoppedId = summary.faults!.find((f) => f.kind === 'stop-task')!.details['taskId'] as string;
      const alive = await fleet.aliveOwners([`arn:aws:ecs:us-east-1:000000000000:task/local/${stoppedId}`, `arn:aws:ecs:us-east-1:000000000000:task/local/nope`, 'local:elsewhere:1']);
      assert.deepEqual([...alive], ['local:elsewhere:1'], 'a stopped or unknown ECS task is gone; a non-ECS owner is kept');
    } finally {
      ecs.destroy();
      await standIn.close();
    }
  });
});
