import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CONSUMER_DEFAULTS } from '../../fargate-consumer/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { consumerQueueNames, DELIVERY_REQUIREMENT_MS } from '../../lib/fanout/constants.ts';
import { PIPE_INPUT_TEMPLATE } from '../../lib/fanout/pipe-template.ts';
import { GET_STATE_QUERY } from '../../lib/fanout/templates.ts';
import { startFanoutStage, type FanoutStage, type ProcessorKind } from '../../local-stage/fanout/index.ts';
import { collectProvenance } from '../results/provenance.ts';
import { makeRunId, runDir as runDirOf } from '../results/writer.ts';
import { driveMutations, postGraphql, type MutationResult } from './drive.ts';
import { CLOCK_CAVEATS, FANOUT_SCHEMA_VERSION, writeFanoutFiles, type FanoutSummary } from './files.ts';
import { buildFanoutReport, isExpected, type FanoutReport, type TaskWindow } from './report.ts';
import { FANOUT_SCENARIOS, type FanoutScenario } from './scenarios.ts';

export interface FanoutRunOptions {
  name: FanoutScenario['name'];
  /** Overrides of the scenario preset. */
  tasks?: number;
  iterations?: number;
  intervalMs?: number;
  resultsDir: string;
  stage: 'local';
  /** Stream processor of the local stage (default lambda). */
  processor?: ProcessorKind;
  log: (line: string) => void;
  /** Longest wait for outstanding deliveries after the last mutation (default 10 s). */
  settleTimeoutMs?: number;
  /** Ctrl-C: stop sending, collect what was sent, write the files marked incomplete. */
  signal?: AbortSignal;
}

export interface FanoutRunResult {
  runDir: string;
  runId: string;
  summary: FanoutSummary;
  report: FanoutReport;
}

/** The version the state record holds now (0 when there is none), read through the GraphQL query. */
export async function currentVersion(stage: FanoutStage): Promise<number> {
  const answer = await postGraphql(stage.graphqlUrl, GET_STATE_QUERY, { id: stage.stateId });
  const state = answer.data?.['getState'] as { version?: number } | null | undefined;
  return state?.version ?? 0;
}

export function taskWindows(stage: FanoutStage): TaskWindow[] {
  return [...stage.consumers.tasks.values()].map((t) => ({ taskId: t.taskId, readyAt: t.readyAt, stoppedAt: t.stoppedAt }));
}

/** Waits until every expected (change, task) pair has a delivery, or the timeout passes. */
export async function waitForDeliveries(stage: FanoutStage, mutations: readonly MutationResult[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = new Set(stage.consumers.deliveries.map((d) => `${d.taskId}\u0000${d.version}`));
    const outstanding = taskWindows(stage).some((task) =>
      mutations.some((m) => isExpected(task, m, DELIVERY_REQUIREMENT_MS) && !seen.has(`${task.taskId}\u0000${m.version}`) && task.stoppedAt === undefined),
    );
    if (!outstanding) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Messages in a task's DLQ; undefined when the queue is gone (the task stopped and deleted it). */
export async function dlqMessages(sqs: SQSClient, namePrefix: string, taskId: string): Promise<number | undefined> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: consumerQueueNames(namePrefix, taskId).dlq }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  } catch (error) {
    if ((error as { name?: string }).name?.includes('NonExistentQueue') || (error as { name?: string }).name === 'QueueDoesNotExist') return undefined;
    throw error;
  }
}

/** Builds the report for mutations already sent on a running stage (used by the scenario and the fault tests). */
export async function collectReport(stage: FanoutStage, mutations: readonly MutationResult[], settleTimeoutMs: number): Promise<FanoutReport> {
  await waitForDeliveries(stage, mutations, settleTimeoutMs);
  const windows = taskWindows(stage);
  for (const window of windows) window.dlqMessages = (await dlqMessages(stage.clients.sqs, stage.namePrefix, window.taskId)) ?? 0;
  return buildFanoutReport({ mutations, deliveries: stage.consumers.deliveries, tasks: windows, stateId: stage.stateId });
}

/**
 * `--scenario fanout | fanout-quick` on the local stage: bring the stage up with N consumer tasks,
 * send the mutations on schedule, wait for every task's deliveries, write summary.json,
 * summary.csv and deliveries.csv into <resultsDir>/local/<run-id>/, and take the stage down.
 */
export async function runFanoutScenario(options: FanoutRunOptions): Promise<FanoutRunResult> {
  const preset = FANOUT_SCENARIOS[options.name];
  const settings = {
    tasks: options.tasks ?? preset.tasks,
    iterations: options.iterations ?? preset.iterations,
    intervalMs: options.intervalMs ?? preset.intervalMs,
    requirementMs: DELIVERY_REQUIREMENT_MS,
    consumer: {
      waitTimeS: CONSUMER_DEFAULTS.waitTimeS,
      batchSize: CONSUMER_DEFAULTS.batchSize,
      maxReceives: CONSUMER_DEFAULTS.maxReceives,
      visibilityTimeoutS: CONSUMER_DEFAULTS.visibilityTimeoutS,
    },
    streamProcessor:
      (options.processor ?? 'lambda') === 'pipe'
        ? { kind: 'pipe' as const, batchSize: 1, maximumRetryAttempts: 10, inputTemplate: PIPE_INPUT_TEMPLATE }
        : { kind: 'lambda' as const, batchSize: 100, parallelizationFactor: 1, reportBatchItemFailures: true },
  };
  for (const [key, value] of Object.entries({ tasks: settings.tasks, iterations: settings.iterations })) {
    if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${key} must be a positive integer; got ${value}.`);
  }
  if (!Number.isFinite(settings.intervalMs) || settings.intervalMs < 0) throw new ConfigError(`intervalMs must be >= 0; got ${settings.intervalMs}.`);

  const started = new Date();
  const runId = makeRunId(started, options.name);
  const dir = runDirOf(options.resultsDir, options.stage, runId);
  options.log(`${options.name}: starting the local fan-out stage with ${settings.tasks} tasks and the ${settings.streamProcessor.kind} processor`);
  const stage = await startFanoutStage({ tasks: settings.tasks, log: options.log, processor: settings.streamProcessor.kind });
  try {
    const fromVersion = await currentVersion(stage);
    options.log(`${options.name}: ${settings.iterations} mutations, ${settings.intervalMs} ms apart`);
    const mutations = await driveMutations({
      url: stage.graphqlUrl,
      stateId: stage.stateId,
      fromVersion,
      iterations: settings.iterations,
      intervalMs: settings.intervalMs,
      ...(options.signal ? { signal: options.signal } : {}),
      onSent: (i) => {
        if ((i + 1) % 50 === 0) options.log(`${options.name}: ${i + 1}/${settings.iterations} mutations sent, ${stage.consumers.deliveries.length} deliveries`);
      },
    });
    const report = await collectReport(stage, mutations, options.signal?.aborted ? 2000 : (options.settleTimeoutMs ?? 10_000));
    const summary: FanoutSummary = {
      schemaVersion: FANOUT_SCHEMA_VERSION,
      kind: 'fanout',
      runId,
      stage: options.stage,
      scenario: options.name,
      complete: !options.signal?.aborted && mutations.length === settings.iterations,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      settings,
      provenance: collectProvenance(),
      clockCaveats: CLOCK_CAVEATS,
      requirement: report.requirement,
      mutations: report.mutations,
      hops: report.hops,
      totals: report.totals,
      tasks: report.tasks,
    };
    await writeFanoutFiles(dir, summary, report);
    return { runDir: dir, runId, summary, report };
  } finally {
    await stage.stop();
  }
}

/** The lines the CLI prints after a fan-out run. */
export function formatFanoutResult(result: FanoutRunResult): string {
  const { summary } = result;
  const lines = [
    `${summary.scenario} (stage ${summary.stage}${summary.stage === 'local' ? ': local figures, not AWS' : ''}): ` +
      `${summary.settings.iterations} mutations ${summary.settings.intervalMs} ms apart to ${summary.settings.tasks} tasks, ` +
      `${(summary.settings['streamProcessor'] as { kind?: string } | undefined)?.kind ?? 'lambda'} processor`,
    `hop        count     p50     p90     p99     max     avg  (ms)`,
  ];
  for (const [name, h] of Object.entries(summary.hops)) {
    const f = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(1)).padStart(7);
    lines.push(`${name.padEnd(10)} ${String(h.count).padStart(5)} ${f(h.p50)} ${f(h.p90)} ${f(h.p99)} ${f(h.max)} ${f(h.avg)}`);
  }
  const t = summary.totals;
  lines.push(`deliveries ${t.delivered}/${t.expected} expected, ${t.missing} missing, ${t.late} late, ${t.dlqMessages} in DLQs`);
  lines.push(`2 s requirement: ${summary.requirement.held ? 'HELD' : 'NOT HELD'} (${summary.requirement.explanation})`);
  lines.push(`results: ${result.runDir}`);
  return lines.join('\n');
}
