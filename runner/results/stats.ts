import type { Histogram } from 'hdr-histogram-js';
import type { LatencyStats } from './schema.ts';

const ms = (us: number) => Math.round(us) / 1000;


/**
 * Latency statistics from an HDR histogram of microseconds. Percentiles follow HdrHistogram: the
 * highest value equivalent (within 3 significant digits) to the one at or below which the given
 * share of values lies. Null for an empty histogram.
 */
export function latencyStats(h: Histogram): LatencyStats | null {
  if (h.totalCount === 0) return null;
  // maxValue is the exact largest value; percentiles are bucket tops and may pass it by < 0.1 %.
  const at = (percentile: number) => ms(Math.min(h.getValueAtPercentile(percentile), h.maxValue));
  return {
    fastestMs: ms(h.minNonZeroValue),
    avgMs: ms(h.mean),
    stdevMs: ms(h.stdDeviation),
    p50Ms: at(50),
    p90Ms: at(90),
    p99Ms: at(99),
    p999Ms: at(99.9),
    maxMs: ms(h.maxValue),
  };
}

/** Closed-loop latencies corrected for coordinated omission, with the median as the expected interval. */
export function coCorrectedStats(h: Histogram): LatencyStats | null {
  if (h.totalCount === 0) return null;
  const interval = h.getValueAtPercentile(50);
  const corrected = h.copyCorrectedForCoordinatedOmission(interval);
  return latencyStats(corrected);
}
