import type { Target } from '../../lib/stage/targets.ts';
import { decodeHistogram } from '../engine/histogram.ts';
import type { RunSummary, TargetTierResult } from '../results/schema.ts';
import { bootstrapStats, empiricalFromHistogram, interval95, uniformSource, type SampleStats } from './bootstrap.ts';

export const DIFF_METRICS = ['avgMs', 'p50Ms', 'p99Ms', 'successRate'] as const;
export type DiffMetric = (typeof DIFF_METRICS)[number];

export interface MetricChange {
  a: number | null;
  b: number | null;
  /** (b - a) / a for latencies; b - a (absolute, 0..1) for the success rate. Null when not computable. */
  change: number | null;
  /** 95 % interval of the same change. */
  interval: [number, number] | null;
  /** True when the interval contains 0: the change is within run-to-run noise. */
  withinNoise: boolean | null;
}

export interface DiffRow {
  tier: string;
  target: Target;
  /** Present in only one of the runs. */
  only: 'a' | 'b' | null;
  metrics: Record<DiffMetric, MetricChange>;
}

export interface DiffReport {
  a: { runId: string; stage: string; complete: boolean };
  b: { runId: string; stage: string; complete: boolean };
  method: string;
  resamples: number;
  rows: DiffRow[];
}

const EMPTY: MetricChange = { a: null, b: null, change: null, interval: null, withinNoise: null };
const LATENCY_KEYS: Record<'avgMs' | 'p50Ms' | 'p99Ms', keyof SampleStats> = { avgMs: 'mean', p50Ms: 'p50', p99Ms: 'p99' };

export const DIFF_METHOD =
  'Latency: relative change (B - A) / A; 95% percentile-bootstrap interval from resampling each run\'s stored HDR histogram ' +
  '(with replacement, same size). Success rate: difference in points; 95% normal-approximation interval for two proportions. ' +
  'A change whose interval contains 0 is within noise.';

export function compareRuns(a: RunSummary, b: RunSummary, options: { resamples: number; seed: number }): DiffReport {
  const key = (r: TargetTierResult) => `${r.tier}\u0000${r.target}`;
  const inB = new Map(b.results.map((r) => [key(r), r]));
  const inA = new Map(a.results.map((r) => [key(r), r]));
  const uniform = uniformSource(options.seed);
  const rows: DiffRow[] = [];
  for (const ra of a.results) {
    const rb = inB.get(key(ra));
    rows.push(rb ? compareResults(ra, rb, options.resamples, uniform) : onlyRow(ra, 'a'));
  }
  for (const rb of b.results) if (!inA.has(key(rb))) rows.push(onlyRow(rb, 'b'));
  return {
    a: { runId: a.runId, stage: a.stage, complete: a.complete },
    b: { runId: b.runId, stage: b.stage, complete: b.complete },
    method: DIFF_METHOD,
    resamples: options.resamples,
    rows,
  };
}

function onlyRow(r: TargetTierResult, only: 'a' | 'b'): DiffRow {
  const v = (m: DiffMetric) => (m === 'successRate' ? r.successRate : (r.latency?.[m] ?? null));
  const metrics = Object.fromEntries(
    DIFF_METRICS.map((m) => [m, { ...EMPTY, ...(only === 'a' ? { a: v(m) } : { b: v(m) }) }]),
  ) as Record<DiffMetric, MetricChange>;
  return { tier: r.tier, target: r.target, only, metrics };
}

export function compareResults(ra: TargetTierResult, rb: TargetTierResult, resamples: number, uniform: () => number): DiffRow {
  const metrics = { successRate: successRateChange(ra.ok, ra.requests, rb.ok, rb.requests) } as Record<DiffMetric, MetricChange>;
  const ha = ra.histogram.count > 0 ? empiricalFromHistogram(decodeHistogram(ra.histogram.data)) : null;
  const hb = rb.histogram.count > 0 ? empiricalFromHistogram(decodeHistogram(rb.histogram.data)) : null;
  const sa = ha ? bootstrapStats(ha, resamples, uniform) : null;
  const sb = hb ? bootstrapStats(hb, resamples, uniform) : null;
  for (const m of ['avgMs', 'p50Ms', 'p99Ms'] as const) {
    const a = ra.latency?.[m] ?? null;
    const b = rb.latency?.[m] ?? null;
    if (a === null || b === null || !sa || !sb || a === 0) {
      metrics[m] = { ...EMPTY, a, b };
      continue;
    }
    const k = LATENCY_KEYS[m];
    const changes = sa.map((x, i) => (sb[i]![k] - x[k]) / x[k]);
    const interval = interval95(changes);
    metrics[m] = { a, b, change: (b - a) / a, interval, withinNoise: interval[0] <= 0 && interval[1] >= 0 };
  }
  return { tier: ra.tier, target: ra.target, only: null, metrics };
}

/** Difference of two proportions with a 95 % normal-approximation (Wald) interval. */
export function successRateChange(okA: number, nA: number, okB: number, nB: number): MetricChange {
  if (nA === 0 || nB === 0) return { ...EMPTY, a: nA ? okA / nA : null, b: nB ? okB / nB : null };
  const pa = okA / nA;
  const pb = okB / nB;
  const se = Math.sqrt((pa * (1 - pa)) / nA + (pb * (1 - pb)) / nB);
  const d = pb - pa;
  const interval: [number, number] = [d - 1.96 * se, d + 1.96 * se];
  return { a: pa, b: pb, change: d, interval, withinNoise: interval[0] <= 0 && interval[1] >= 0 };
}
