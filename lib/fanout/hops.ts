/**
 * Per-message hop times, from the timestamps each service stamps on the message. Different hops are
 * timed by different clocks (AppSync/DynamoDB, SNS, SQS, the task), so on AWS small or negative values
 * are clock skew, not time travel.
 */
export interface HopTimestamps {
  /** Epoch ms the resolver wrote the record (state.writtenAt). */
  writtenAt: number;
  /** SNS envelope `Timestamp` (ISO): when the topic accepted the publish. */
  snsTimestamp: number;
  /** SQS `SentTimestamp`: when the queue accepted the message from SNS. */
  sentTimestamp: number;
  /** SQS `ApproximateFirstReceiveTimestamp`: when the message was first received. */
  firstReceiveTimestamp: number;
  /** Epoch ms the task applied (or ignored) the change. */
  appliedAt: number;
}

export interface HopDurations {
  /** write → SNS publish: DynamoDB stream + stream processor. */
  streamMs: number;
  /** SNS publish → SQS enqueue ("SNS time taken"). */
  snsMs: number;
  /** SQS enqueue → first receive ("SQS time taken"). */
  sqsMs: number;
  /** first receive → applied, inside the task. */
  consumeMs: number;
  /** write → applied. */
  endToEndMs: number;
}

export function hopDurations(t: HopTimestamps): HopDurations {
  return {
    streamMs: t.snsTimestamp - t.writtenAt,
    snsMs: t.sentTimestamp - t.snsTimestamp,
    sqsMs: t.firstReceiveTimestamp - t.sentTimestamp,
    consumeMs: t.appliedAt - t.firstReceiveTimestamp,
    endToEndMs: t.appliedAt - t.writtenAt,
  };
}

/** Reads an epoch-ms SQS system attribute; undefined when absent or not a number. */
export function epochMsAttribute(attributes: Record<string, string | undefined> | undefined, name: string): number | undefined {
  const raw = attributes?.[name];
  if (raw === undefined) return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/** Nearest-rank percentile of ascending-sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface HopStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  avg: number;
}

export function hopStats(values: readonly number[]): HopStats {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((acc, v) => acc + v, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
    avg: sorted.length === 0 ? Number.NaN : sum / sorted.length,
  };
}
