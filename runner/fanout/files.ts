import { stringify } from 'csv-stringify/sync';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Provenance } from '../results/schema.ts';
import { atomicWrite } from '../results/writer.ts';
import { HOP_NAMES, type FanoutReport } from './report.ts';
import type { FaultOutcome } from './faults.ts';

export const FANOUT_SCHEMA_VERSION = 1;

export const CLOCK_CAVEATS_AWS = [
  'ECS Fargate tasks keep time with the Amazon Time Sync Service, and the task metadata endpoint v4 reports their clock error bound (AWS Containers blog, "Run time sensitive workloads on ECS Fargate with clock accuracy tracking", https://aws.amazon.com/blogs/containers/run-time-sensitive-workloads-on-ecs-fargate-with-clock-accuracy-tracking/); the AppSync, SNS and SQS timestamps come from AWS hosts whose clock accuracy AWS does not document: treat hop differences as accurate to a few ms at best.',
  'Task windows (readyAt, stoppedAt) are task clocks; mutation sentAt is the runner machine\'s clock: a machine whose clock is off by more than a few ms moves which changes a task is expected to get (check it with `chronyc tracking` or `timedatectl`). The appsync hop is the runner\'s monotonic clock and does not depend on it.',
];

export const CLOCK_CAVEATS = [
  'appsync is the mutation round trip measured by the runner (monotonic clock).',
  'stream = SNS Timestamp - writtenAt (SNS clock minus AppSync resolver clock); sns = SQS SentTimestamp - SNS Timestamp; sqs = ApproximateFirstReceiveTimestamp - SentTimestamp (SQS clock); consume = applied - first receive (task clock minus SQS clock); endToEnd = applied - writtenAt (task clock minus AppSync clock).',
  'On AWS these are different machines: skew of a few ms to tens of ms is normal and can make a hop negative; treat per-hop figures as coarse indicators.',
  'On the local stage every hop is timed by this machine\'s wall clock, but every service shares 2 CPU cores with the runner: figures show the kit works end to end, not AWS latency. The SNS Timestamp has millisecond resolution.',
];

export interface FanoutSummary {
  schemaVersion: typeof FANOUT_SCHEMA_VERSION;
  kind: 'fanout';
  runId: string;
  stage: 'local' | 'aws';
  scenario: string;
  complete: boolean;
  startedAt: string;
  finishedAt: string;
  settings: Record<string, unknown>;
  provenance: Provenance;
  clockCaveats: string[];
  requirement: FanoutReport['requirement'];
  mutations: FanoutReport['mutations'];
  hops: FanoutReport['hops'];
  totals: FanoutReport['totals'];
  tasks: FanoutReport['tasks'];
  /** How deliveries reached the runner: the tasks' stdout (local) or the receipts queue (AWS), with counts. */
  collection?: Record<string, unknown>;
  /** Faults injected by run options (--fault), each with what it did and whether the pipeline coped. */
  faults?: FaultOutcome[];
  /** Per task whose DLQ held messages at the end: how many and up to 3 bodies. */
  dlq?: { taskId: string; messages: number; samples: string[] }[];
  /** Orphans removed before the run (AWS). */
  reaped?: Record<string, unknown>;
  /** Rebuilt from journal.jsonl after the runner died; `complete` is then false. */
  recovered?: boolean;
}

const round = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? '' : Math.round(v * 100) / 100);

/** summary.csv: one row per hop, then one per task, then a total row; RFC 4180. */
export function fanoutSummaryCsv(summary: FanoutSummary): string {
  const header = ['stage', 'scenario', 'section', 'name', 'count', 'p50_ms', 'p90_ms', 'p99_ms', 'max_ms', 'avg_ms', 'expected', 'delivered', 'missing', 'late', 'dlq_messages', 'requirement_held'];
  const rows: (string | number)[][] = [header];
  for (const name of HOP_NAMES) {
    const h = summary.hops[name];
    rows.push([summary.stage, summary.scenario, 'hop', name, h.count, round(h.p50), round(h.p90), round(h.p99), round(h.max), round(h.avg), '', '', '', '', '', '']);
  }
  for (const t of summary.tasks) {
    rows.push([summary.stage, summary.scenario, 'task', t.taskId, t.delivered, '', '', '', round(t.endToEndMaxMs), '', t.expected, t.delivered, t.missing, t.lateDeliveries, t.dlqMessages, t.missing === 0 && t.lateDeliveries === 0 ? 'yes' : 'no']);
  }
  for (const f of summary.faults ?? []) {
    rows.push([summary.stage, summary.scenario, 'fault', `${f.kind}:${String(f.details['action'] ?? f.kind)}@${f.afterMutations}`, '', '', '', '', '', '', '', '', '', '', '', f.held ? 'yes' : 'no']);
  }
  const tot = summary.totals;
  rows.push([summary.stage, summary.scenario, 'total', 'all', tot.delivered, '', '', '', '', '', tot.expected, tot.delivered, tot.missing, tot.late, tot.dlqMessages, summary.requirement.held ? 'yes' : 'no']);
  return stringify(rows, { record_delimiter: '\r\n' });
}

/** deliveries.csv: one row per (change, task) the task was present for or received. */
export function deliveriesCsv(report: FanoutReport): string {
  const header = ['version', 'task_id', 'sent_at', 'written_at', 'appsync_ms', 'outcome', 'receive_count', 'stream_ms', 'sns_ms', 'sqs_ms', 'consume_ms', 'end_to_end_ms', 'within_requirement'];
  const rows = report.rows.map((r) => [
    r.version,
    r.taskId,
    new Date(r.sentAt).toISOString(),
    r.writtenAt === undefined ? '' : new Date(r.writtenAt).toISOString(),
    round(r.appsyncMs),
    r.outcome,
    r.receiveCount ?? '',
    r.hops?.streamMs ?? '',
    r.hops?.snsMs ?? '',
    r.hops?.sqsMs ?? '',
    r.hops?.consumeMs ?? '',
    r.hops?.endToEndMs ?? '',
    r.withinRequirement ? 'yes' : 'no',
  ]);
  return stringify([header, ...rows], { record_delimiter: '\r\n' });
}

export async function writeFanoutFiles(dir: string, summary: FanoutSummary, report: FanoutReport): Promise<void> {
  await mkdir(dir, { recursive: true });
  await atomicWrite(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await atomicWrite(path.join(dir, 'summary.csv'), fanoutSummaryCsv(summary));
  await atomicWrite(path.join(dir, 'deliveries.csv'), deliveriesCsv(report));
}
