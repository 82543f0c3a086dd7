import type { WorkerHealth } from './health.ts';

/**
 * The saturation guard: when was the load generator, not the target, the limit? Thresholds are data,
 * justified by the measurements in docs/runner.md ("Saturation guard"): the tiers whose p50 was
 * inflated against wrk on the same server are the ones above them.
 */
export const CLIENT_BOUND_THRESHOLDS = {
  /** A worker whose event loop was busy this share of the measured phase could not send on time. */
  eventLoopUtilization: 0.9,
  /** ...or whose event loop was this late (p99, ms) at least once in a hundred samples. */
  eventLoopDelayP99Ms: 100,
} as const;

export interface ClientBoundVerdict {
  clientBound: boolean;
  reason: string | null;
}

export function judgeClientBound(health: readonly WorkerHealth[], thresholds = CLIENT_BOUND_THRESHOLDS): ClientBoundVerdict {
  const reasons: string[] = [];
  for (const h of health) {
    const who = health.length > 1 ? `worker ${h.sliceIndex + 1}: ` : '';
    if (h.eventLoopUtilization >= thresholds.eventLoopUtilization) {
      reasons.push(`${who}event loop busy ${(h.eventLoopUtilization * 100).toFixed(0)} % of the time (limit ${thresholds.eventLoopUtilization * 100} %)`);
    } else if (h.eventLoopDelayMs.p99 >= thresholds.eventLoopDelayP99Ms) {
      reasons.push(`${who}event-loop delay p99 ${h.eventLoopDelayMs.p99} ms (limit ${thresholds.eventLoopDelayP99Ms} ms)`);
    }
  }
  return reasons.length > 0 ? { clientBound: true, reason: `load generator saturated: ${reasons.join('; ')}` } : { clientBound: false, reason: null };
}
