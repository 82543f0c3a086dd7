import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { CONSUMER_DEFAULTS } from '../../fargate-consumer/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { consumerQueueNames, DELIVERY_REQUIREMENT_MS } from '../../lib/fanout/constants.ts';
import type { DeliveryRecord } from '../../lib/fanout/emf.ts';
import { PIPE_INPUT_TEMPLATE } from '../../lib/fanout/pipe-template.ts';
import { rollCallMessage } from '../../lib/fanout/receipts.ts';
import { GET_STATE_QUERY } from '../../lib/fanout/templates.ts';
import { startFanoutStage, type FanoutStage, type ProcessorKind } from '../../local-stage/fanout/index.ts';
import { collectProvenance } from '../results/provenance.ts';
import { makeRunId, runDir as runDirOf } from '../results/writer.ts';
import { driveMutations, postGraphql, type MutationResult } from './drive.ts';
import { faultOutcomes, injectFault, planFaults, type FaultKind } from './faults.ts';
import { CLOCK_CAVEATS, CLOCK_CAVEATS_AWS, FANOUT_SCHEMA_VERSION, writeFanoutFiles, type FanoutSummary } from './files.ts';
import { LocalFleetControl, type FleetControl } from './fleet.ts';
import { RunJournal, type FaultRecord, type JournalEntry } from './journal.ts';
import { ReceiptCollector, ReceiptTaskTracker } from './receipts-collector.ts';
import { recoverInterruptedRuns } from './recover.ts';
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
  /** Faults to inject during the run (`--fault`). */
  faults?: FaultKind[];
  log: (line: string) => void;
  /** Longest wait for outstanding deliveries after the last mutation (default 10 s locally, 30 s on AWS). */
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

/** Where journal entries go while a run collects (RunJournal in a run; anything in a test). */
export interface JournalSink {
  append(entry: JournalEntry): void;
  flush(): Promise<void>;
}

/**
 * Where a run's deliveries and task windows come from, and how its faults are driven: the local stage's
 * stdout (`localSource`) or the receipts queue (`receiptsSource`, the AWS path, which tests run
 * against the local stage's queues).
 */
export interface FanoutSource {
  stage: 'local' | 'aws';
  stateId: string;
  graphqlUrl: string;
  graphqlHeaders: Record<string, string>;
  namePrefix: string;
  sqs: SQSClient;
  fleet: FleetControl;
  /** Starts collecting; every delivery, window change and task event is appended to `sink` as it arrives. */
  start(sink: JournalSink): Promise<void>;
  windows(): TaskWindow[];
  deliveries(): readonly DeliveryRecord[];
  /** After the deliveries settled: anything the source checks at the end; returns what to record. */
  finish(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** The version the state record holds now (0 when there is none), read through the GraphQL query. */
export async function currentVersion(stage: Pick<FanoutStage, 'graphqlUrl' | 'stateId'>, headers: Record<string, string> = {}): Promise<number> {
  const answer = await postGraphql(stage.graphqlUrl, GET_STATE_QUERY, { id: stage.stateId }, headers);
  if (answer.errors?.length) throw new Error(`getState failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  const state = answer.data?.['getState'] as { version?: number } | null | undefined;
  return state?.version ?? 0;
}

export function taskWindows(stage: FanoutStage): TaskWindow[] {
  return [...stage.consumers.tasks.values()].map((t) => ({ taskId: t.taskId, readyAt: t.readyAt, stoppedAt: t.stoppedAt }));
}

/** Waits until every expected (change, task) pair of a present task has a delivery, or the timeout passes. */
export async function waitForAllDeliveries(
  windows: () => readonly TaskWindow[],
  deliveries: () => readonly DeliveryRecord[],
  mutations: readonly MutationResult[],
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = new Set(deliveries().map((d) => `${d.taskId}\u0000${d.version}`));
    const outstanding = windows().some((task) =>
      mutations.some((m) => isExpected(task, m, DELIVERY_REQUIREMENT_MS) && !seen.has(`${task.taskId}\u0000${m.version}`) && task.stoppedAt === undefined),
    );
    if (!outstanding) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every expected (change, task) pair has a delivery, or the timeout passes. */
export async function waitForDeliveries(stage: FanoutStage, mutations: readonly MutationResult[], timeoutMs: number): Promise<boolean> {
  return waitForAllDeliveries(() => taskWindows(stage), () => stage.consumers.deliveries, mutations, timeoutMs);
}

const isMissingQueue = (error: unknown) => {
  const name = (error as { name?: string }).name ?? '';
  return name.includes('NonExistentQueue') || name === 'QueueDoesNotExist';
};

/** Messages in a task's DLQ; undefined when the queue is gone (the task stopped and deleted it). */
export async function dlqMessages(sqs: SQSClient, namePrefix: string, taskId: string): Promise<number | undefined> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: consumerQueueNames(namePrefix, taskId).dlq }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  } catch (error) {
    if (isMissingQueue(error)) return undefined;
    throw error;
  }
}

/** Up to 3 bodies from a DLQ, read with a zero visibility timeout so they stay where they are. */
async function dlqSamples(sqs: SQSClient, namePrefix: string, taskId: string): Promise<string[]> {
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: consumerQueueNames(namePrefix, taskId).dlq }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 3, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    return (Messages ?? []).map((m) => (m.Body ?? '').slice(0, 500));
  } catch (error) {
    if (isMissingQueue(error)) return [];
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

/** The local stage's tasks, read from their stdout (the lines CloudWatch Logs would get on AWS). */
export function localSource(stage: FanoutStage): FanoutSource {
  let listener: ((event: Parameters<Parameters<FanoutStage['consumers']['listeners']['add']>[0]>[0]) => void) | undefined;
  return {
    stage: 'local',
    stateId: stage.stateId,
    graphqlUrl: stage.graphqlUrl,
    graphqlHeaders: {},
    namePrefix: stage.namePrefix,
    sqs: stage.clients.sqs,
    fleet: new LocalFleetControl(stage.consumers),
    async start(sink) {
      for (const w of taskWindows(stage)) sink.append({ t: 'window', w });
      sink.append({ t: 'pids', pids: stage.pids() });
      listener = (event) => {
        if (event.type === 'delivery') sink.append({ t: 'delivery', d: event.delivery });
        else sink.append({ t: 'window', w: { taskId: event.task.taskId, readyAt: event.task.readyAt, stoppedAt: event.task.stoppedAt } });
        if (event.type === 'ready') sink.append({ t: 'pids', pids: [event.task.pid] });
      };
      stage.consumers.listeners.add(listener);
    },
    windows: () => taskWindows(stage),
    deliveries: () => stage.consumers.deliveries,
    finish: async () => ({ method: 'stdout', note: "each task's stdout (its EMF delivery lines and fanout.* events), read by the local stage" }),
    async stop() {
      if (listener) stage.consumers.listeners.delete(listener);
    },
  };
}

export interface ReceiptsSourceOptions {
  stage: 'local' | 'aws';
  stateId: string;
  graphqlUrl: string;
  graphqlHeaders: Record<string, string>;
  namePrefix: string;
  topicArn: string;
  receiptsQueueUrl: string;
  sqs: SQSClient;
  sns: SNSClient;
  fleet: FleetControl;
  log: (line: string) => void;
  /** Longest wait for the roll call's answers (default 30 s). */
  rollCallTimeoutMs?: number;
  /** Long-poll wait of the receipts loops (default 20 s; tests use less so stop() is quick on fauxqs). */
  receiveWaitTimeS?: number;
}

/**
 * The AWS path: deliveries and task lifecycle from the receipts queue; which tasks are present, and since
 * when, from a roll call published to the topic (every task answers through its own queue), checked
 * against the service's running task count; a second roll call at the end.
 */
export function receiptsSource(options: ReceiptsSourceOptions): FanoutSource {
  let tracker: ReceiptTaskTracker | undefined;
  let collector: ReceiptCollector | undefined;
  const calls: Record<string, unknown>[] = [];

  const rollCall = async (label: string): Promise<void> => {
    const callId = `${label}-${randomUUID()}`;
    tracker!.expectRollCall(callId);
    const expected = (await options.fleet.runningTaskIds()).length;
    const sentAt = Date.now();
    await options.sns.send(new PublishCommand({ TopicArn: options.topicArn, Message: rollCallMessage(callId) }));
    const deadline = sentAt + (options.rollCallTimeoutMs ?? 30_000);
    // Until every running task answered; or, once some did, 3 s without a new answer (a task stopping
    // meanwhile never answers); at most the timeout.
    let lastCount = 0;
    let lastChange = Date.now();
    while (tracker!.answers(callId).size < expected && Date.now() < deadline) {
      const count = tracker!.answers(callId).size;
      if (count !== lastCount) [lastCount, lastChange] = [count, Date.now()];
      else if (count > 0 && Date.now() - lastChange > 3000) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const answers = tracker!.answers(callId);
    const record = { label, expected, answered: answers.size, ready: [...answers.values()].filter((a) => a['phase'] === 'ready').length, waitedMs: Date.now() - sentAt };
    calls.push(record);
    if (answers.size < expected) options.log(`roll call ${label}: ${answers.size} of ${expected} running tasks answered within ${record.waitedMs} ms`);
  };

  return {
    stage: options.stage,
    stateId: options.stateId,
    graphqlUrl: options.graphqlUrl,
    graphqlHeaders: options.graphqlHeaders,
    namePrefix: options.namePrefix,
    sqs: options.sqs,
    fleet: options.fleet,
    async start(sink) {
      tracker = new ReceiptTaskTracker(Date.now());
      collector = new ReceiptCollector(
        options.sqs,
        options.receiptsQueueUrl,
        async (receipts) => {
          for (const r of receipts) sink.append(r.kind === 'delivery' ? { t: 'delivery', d: r.delivery } : { t: 'event', e: r.event });
          for (const w of tracker!.apply(receipts)) sink.append({ t: 'window', w });
          await sink.flush();
        },
        { log: options.log, ...(options.receiveWaitTimeS !== undefined ? { waitTimeS: options.receiveWaitTimeS } : {}) },
      );
      collector.start();
      await rollCall('start');
    },
    windows: () => [...(tracker?.windows.values() ?? [])],
    deliveries: () => tracker?.deliveries ?? [],
    async finish() {
      await rollCall('end');
      return { method: 'receipts', queue: options.receiptsQueueUrl, rollCalls: calls, ...(collector ? { stats: { ...collector.stats } } : {}) };
    },
    async stop() {
      await collector?.stop();
    },
  };
}

export interface FanoutSettings {
  tasks: number;
  iterations: number;
  intervalMs: number;
  requirementMs: number;
  [key: string]: unknown;
}

export interface ExecuteOptions {
  name: FanoutScenario['name'];
  settings: FanoutSettings;
  resultsDir: string;
  faults: readonly FaultKind[];
  log: (line: string) => void;
  settleTimeoutMs: number;
  signal?: AbortSignal | undefined;
  extra?: Partial<Pick<FanoutSummary, 'reaped'>>;
}

/**
 * One fan-out run on any source: a journal from the first moment (journal.jsonl: every mutation
 * answer, delivery, task window, event and fault, appended as they happen), the mutations on schedule,
 * the faults at their step, the wait for outstanding deliveries, the DLQs, then summary.json,
 * summary.csv and deliveries.csv.
 */
export async function executeFanoutRun(source: FanoutSource, options: ExecuteOptions): Promise<FanoutRunResult> {
  const started = new Date();
  const runId = makeRunId(started, options.name);
  const dir = runDirOf(options.resultsDir, source.stage, runId);
  const { settings } = options;
  // A run whose runner died (kill, crash) left a journal and no summary: write its files first, marked incomplete.
  await recoverInterruptedRuns(path.dirname(dir), options.log);
  const journal = await RunJournal.open(dir, { runId, stage: source.stage, scenario: options.name, startedAt: started.toISOString(), settings });
  let complete = false;
  try {
    await source.start(journal);
    const fromVersion = await currentVersion({ graphqlUrl: source.graphqlUrl, stateId: source.stateId }, source.graphqlHeaders);
    const steps = planFaults(options.faults, settings.iterations);
    const baseCount = steps.length > 0 ? await source.fleet.desiredCount() : settings.tasks;
    const faults: FaultRecord[] = [];
    const picked = new Set<string>();
    options.log(`${options.name}: ${settings.iterations} mutations, ${settings.intervalMs} ms apart${steps.length ? `; faults: ${steps.map((s) => `${s.action} after ${s.afterMutations}`).join(', ')}` : ''}`);
    const mutations = await driveMutations({
      url: source.graphqlUrl,
      headers: source.graphqlHeaders,
      stateId: source.stateId,
      fromVersion,
      iterations: settings.iterations,
      intervalMs: settings.intervalMs,
      ...(options.signal ? { signal: options.signal } : {}),
      onResult: (m) => journal.append({ t: 'mutation', m }),
      onSent: async (i) => {
        for (const step of steps.filter((s) => s.afterMutations === i + 1)) {
          const fault = await injectFault(step, { fleet: source.fleet, sqs: source.sqs, namePrefix: source.namePrefix, baseCount }, picked);
          if (typeof fault.details['taskId'] === 'string') picked.add(fault.details['taskId']);
          faults.push(fault);
          journal.append({ t: 'fault', f: fault });
          options.log(`${options.name}: fault ${step.action}${fault.error ? ` failed: ${fault.error}` : ` ${JSON.stringify(fault.details)}`}`);
        }
        if ((i + 1) % 50 === 0) options.log(`${options.name}: ${i + 1}/${settings.iterations} mutations sent, ${source.deliveries().length} deliveries`);
      },
    });
    await source.fleet.settle();
    await waitForAllDeliveries(() => source.windows(), () => source.deliveries(), mutations, options.signal?.aborted ? 2000 : options.settleTimeoutMs);
    const collection = await source.finish();
    const windows = source.windows().map((w) => ({ ...w }));
    const dlq: NonNullable<FanoutSummary['dlq']> = [];
    for (const window of windows) {
      window.dlqMessages = (await dlqMessages(source.sqs, source.namePrefix, window.taskId)) ?? 0;
      if (window.dlqMessages > 0) dlq.push({ taskId: window.taskId, messages: window.dlqMessages, samples: await dlqSamples(source.sqs, source.namePrefix, window.taskId) });
    }
    const report = buildFanoutReport({ mutations, deliveries: source.deliveries(), tasks: windows, stateId: source.stateId });
    complete = !options.signal?.aborted && mutations.length === settings.iterations;
    const summary: FanoutSummary = {
      schemaVersion: FANOUT_SCHEMA_VERSION,
      kind: 'fanout',
      runId,
      stage: source.stage,
      scenario: options.name,
      complete,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      settings,
      provenance: collectProvenance(),
      clockCaveats: source.stage === 'aws' ? [...CLOCK_CAVEATS.slice(0, 3), ...CLOCK_CAVEATS_AWS] : CLOCK_CAVEATS,
      requirement: report.requirement,
      mutations: report.mutations,
      hops: report.hops,
      totals: report.totals,
      tasks: report.tasks,
      collection,
      ...(faults.length > 0 ? { faults: faultOutcomes(faults, report, windows) } : {}),
      ...(dlq.length > 0 ? { dlq } : {}),
      ...options.extra,
    };
    await writeFanoutFiles(dir, summary, report);
    journal.append({ t: 'end', at: new Date().toISOString(), complete });
    return { runDir: dir, runId, summary, report };
  } finally {
    await source.stop();
    await journal.close();
  }
}

/** The local run's settings from the preset and the overrides, validated. */
export function fanoutSettings(options: Pick<FanoutRunOptions, 'name' | 'tasks' | 'iterations' | 'intervalMs' | 'processor' | 'faults'>): FanoutSettings {
  const preset = FANOUT_SCENARIOS[options.name];
  const settings: FanoutSettings = {
    tasks: options.tasks ?? preset.tasks,
    iterations: options.iterations ?? preset.iterations,
    intervalMs: options.intervalMs ?? preset.intervalMs,
    requirementMs: DELIVERY_REQUIREMENT_MS,
    faults: [...(options.faults ?? [])],
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
  return settings;
}

/**
 * `--scenario fanout | fanout-quick` on the local stage: bring the stage up with N consumer tasks,
 * send the mutations on schedule, wait for every task's deliveries, write summary.json,
 * summary.csv and deliveries.csv into <resultsDir>/local/<run-id>/, and take the stage down.
 */
export async function runFanoutScenario(options: FanoutRunOptions): Promise<FanoutRunResult> {
  const settings = fanoutSettings(options);
  const processor = (settings['streamProcessor'] as { kind: ProcessorKind }).kind;
  options.log(`${options.name}: starting the local fan-out stage with ${settings.tasks} tasks and the ${processor} processor`);
  const stage = await startFanoutStage({ tasks: settings.tasks, log: options.log, processor });
  try {
    return await executeFanoutRun(localSource(stage), {
      name: options.name,
      settings,
      resultsDir: options.resultsDir,
      faults: options.faults ?? [],
      log: options.log,
      settleTimeoutMs: options.settleTimeoutMs ?? 10_000,
      signal: options.signal,
    });
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
  for (const f of summary.faults ?? []) lines.push(`fault ${f.kind} (${String(f.details['action'])}): ${f.held ? 'held' : 'NOT held'}, ${f.outcome}`);
  lines.push(`2 s requirement: ${summary.requirement.held ? 'HELD' : 'NOT HELD'} (${summary.requirement.explanation})`);
  if (!summary.complete) lines.push('run incomplete (interrupted): the figures cover what was sent before the stop');
  lines.push(`results: ${result.runDir}`);
  return lines.join('\n');
}
