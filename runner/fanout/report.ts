import { DELIVERY_REQUIREMENT_MS } from '../../lib/fanout/constants.ts';
import type { DeliveryRecord } from '../../lib/fanout/emf.ts';
import { hopStats, type HopStats } from '../../lib/fanout/hops.ts';
import type { MutationResult } from './drive.ts';

export interface TaskWindow {
  taskId: string;
  /** Epoch ms the task reported ready (subscribed and state loaded). */
  readyAt: number;
  /** Epoch ms the task was stopped or killed; undefined if it ran to the end. */
  stoppedAt: number | undefined;
  dlqMessages?: number;
}

export interface DeliveryRow {
  version: number;
  taskId: string;
  sentAt: number;
  writtenAt: number | undefined;
  appsyncMs: number;
  /** missing: the task was present for the change and never recorded it. */
  outcome: DeliveryRecord['outcome'] | 'missing';
  receiveCount: number | undefined;
  hops: DeliveryRecord['hops'] | undefined;
  withinRequirement: boolean;
}

export interface TaskSummary {
  taskId: string;
  expected: number;
  delivered: number;
  applied: number;
  stale: number;
  duplicate: number;
  missing: number;
  lateDeliveries: number;
  dlqMessages: number;
  endToEndMaxMs: number | null;
}

export const HOP_NAMES = ['appsync', 'stream', 'sns', 'sqs', 'consume', 'endToEnd'] as const;
export type HopName = (typeof HOP_NAMES)[number];

export interface FanoutReport {
  hops: Record<HopName, HopStats>;
  mutations: { sent: number; ok: number; failed: number; errors: string[] };
  tasks: TaskSummary[];
  totals: { expected: number; delivered: number; missing: number; late: number; dlqMessages: number };
  requirement: { thresholdMs: number; held: boolean; explanation: string };
  rows: DeliveryRow[];
}

/**
 * A task is expected to apply a change when it was ready before the mutation was sent and was not
 * stopped before the change was due (written + requirement). Deliveries of changes it was not
 * expected to get still count in the hop figures.
 */
export function isExpected(task: TaskWindow, mutation: MutationResult, requirementMs: number): boolean {
  if (mutation.writtenAt === undefined) return false;
  if (task.readyAt > mutation.sentAt) return false;
  return task.stoppedAt === undefined || task.stoppedAt > mutation.writtenAt + requirementMs;
}

export function buildFanoutReport(input: {
  mutations: readonly MutationResult[];
  deliveries: readonly DeliveryRecord[];
  tasks: readonly TaskWindow[];
  stateId: string;
  requirementMs?: number;
}): FanoutReport {
  const requirementMs = input.requirementMs ?? DELIVERY_REQUIREMENT_MS;
  const byVersion = new Map(input.mutations.map((m) => [m.version, m]));
  const first = new Map<string, DeliveryRecord>();
  for (const d of input.deliveries) {
    if (d.stateId !== input.stateId || !byVersion.has(d.version)) continue;
    const key = `${d.taskId}\u0000${d.version}`;
    if (!first.has(key)) first.set(key, d);
  }
  const rows: DeliveryRow[] = [];
  const tasks: TaskSummary[] = [];
  for (const task of input.tasks) {
    const summary: TaskSummary = {
      taskId: task.taskId,
      expected: 0,
      delivered: 0,
      applied: 0,
      stale: 0,
      duplicate: 0,
      missing: 0,
      lateDeliveries: 0,
      dlqMessages: task.dlqMessages ?? 0,
      endToEndMaxMs: null,
    };
    for (const mutation of input.mutations) {
      const delivery = first.get(`${task.taskId}\u0000${mutation.version}`);
      const expected = isExpected(task, mutation, requirementMs);
      if (!expected && delivery === undefined) continue;
      const within = delivery !== undefined && delivery.hops.endToEndMs <= requirementMs;
      rows.push({
        version: mutation.version,
        taskId: task.taskId,
        sentAt: mutation.sentAt,
        writtenAt: mutation.writtenAt,
        appsyncMs: mutation.appsyncMs,
        outcome: delivery?.outcome ?? 'missing',
        receiveCount: delivery?.receiveCount,
        hops: delivery?.hops,
        withinRequirement: within,
      });
      if (delivery !== undefined) {
        summary.delivered += 1;
        summary[delivery.outcome] += 1;
        summary.endToEndMaxMs = Math.max(summary.endToEndMaxMs ?? Number.NEGATIVE_INFINITY, delivery.hops.endToEndMs);
        if (!within) summary.lateDeliveries += 1;
      }
      if (expected) {
        summary.expected += 1;
        if (delivery === undefined) summary.missing += 1;
      }
    }
    tasks.push(summary);
  }
  const delivered = rows.filter((r) => r.hops !== undefined);
  const hop = (pick: (h: DeliveryRecord['hops']) => number) => hopStats(delivered.map((r) => pick(r.hops!)));
  const ok = input.mutations.filter((m) => m.error === undefined);
  const totals = {
    expected: sum(tasks.map((t) => t.expected)),
    delivered: sum(tasks.map((t) => t.delivered)),
    missing: sum(tasks.map((t) => t.missing)),
    late: sum(tasks.map((t) => t.lateDeliveries)),
    dlqMessages: sum(tasks.map((t) => t.dlqMessages)),
  };
  const held = ok.length === input.mutations.length && totals.missing === 0 && totals.late === 0 && totals.expected > 0;
  return {
    hops: {
      appsync: hopStats(input.mutations.map((m) => m.appsyncMs)),
      stream: hop((h) => h.streamMs),
      sns: hop((h) => h.snsMs),
      sqs: hop((h) => h.sqsMs),
      consume: hop((h) => h.consumeMs),
      endToEnd: hop((h) => h.endToEndMs),
    },
    mutations: { sent: input.mutations.length, ok: ok.length, failed: input.mutations.length - ok.length, errors: [...new Set(input.mutations.flatMap((m) => (m.error ? [m.error] : [])))].slice(0, 5) },
    tasks,
    totals,
    requirement: {
      thresholdMs: requirementMs,
      held,
      explanation: held
        ? `every expected (change, task) pair was applied within ${requirementMs} ms of the write`
        : `${totals.missing} expected deliveries missing, ${totals.late} over ${requirementMs} ms, ${input.mutations.length - ok.length} mutations failed`,
    },
    rows,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
