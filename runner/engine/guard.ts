import type { WorkerHealth } from './health.ts';

/**
 * The saturation guard: when was the load generator, not the target, the limit? Thresholds are data,
 * set from the measurements in docs/runner.md ("Saturation guard"): runner and wrk side by side on the
 * same server (`npm run bench:runner`), a tier counting as inflated when the runner's p50 was more
 * than 10 % above wrk's.
 */
export const CLIENT_BOUND_THRESHOLDS = {
  /**
   * A worker whose event loop was busy this share of the measured phase. Measured: at 0.69-0.83
   * (test4 shape, 60 ms server) the runner's p50 was 36-89 % above wrk's; at 0.2-0.45 (test3 shape)
   * it was within 0-15 % on a quiet machine.
   */
  eventLoopUtilization: 0.6,
  /** ...or whose event loop was this late (p99 of monitorEventLoopDelay, ms): responses waited as long. */
  eventLoopDelayP99Ms: 50,
  /**
   * ...or whose thread got less CPU than this share of the time its loop was busy (and the loop was
   * busy at least `starvedMinElu`): other processes held the CPUs, so responses waited to be read.
   */
  cpuPerBusy: 0.5,
  starvedMinElu: 0.25,
} as const;

export interface ClientBoundVerdict {
  clientBound: boolean;
  reason: string | null;
}

export function judgeClientBound(health: readonly WorkerHealth[], thresholds = CLIENT_BOUND_THRESHOLDS): ClientBoundVerdict {
  const reasons: string[] = [];
  for (const h of health) {
    const who = health.length > 1 ? `worker ${h.sliceIndex + 1}: ` : '';
    const elu = h.eventLoopUtilization;
    if (elu >= thresholds.eventLoopUtilization) {
      reasons.push(`${who}event loop busy ${(elu * 100).toFixed(0)} % of the time (limit ${thresholds.eventLoopUtilization * 100} %)`);
    } else if (h.eventLoopDelayMs.p99 >= thresholds.eventLoopDelayP99Ms) {
      reasons.push(`${who}event-loop delay p99 ${h.eventLoopDelayMs.p99} ms (limit ${thresholds.eventLoopDelayP99Ms} ms)`);
    } else if (h.cpuScope === 'thread' && elu >= thresholds.starvedMinElu && h.cpuShare < thresholds.cpuPerBusy * elu) {
      reasons.push(
        `${who}starved of CPU: the thread ran ${(h.cpuShare * 100).toFixed(0)} % of the time while its loop was busy ${(elu * 100).toFixed(0)} % (other processes held the CPUs)`,
      );
    }
  }
  return reasons.length > 0 ? { clientBound: true, reason: `load generator saturated: ${reasons.join('; ')}` } : { clientBound: false, reason: null };
}
