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
  /**
   * Why the load generator was the limit in A / B (`client.clientBoundReason`), null when it was
   * not (or the run predates schema 2): a latency change on such a row measures the client.
   */
  clientBound?: { a: string | null; b: string | null };
  /** 2xx responses with a bad body in A / B (null: not recorded, schema 1). */
  badBody?: { a: number | null; b: number | null };
  /**
   * List-price cost per million requests in A / B (lib/cost/; null: not priced), the relative change,
   * and whether either figure is an estimate (always so on the local stage). A deterministic figure
   * from counted quantities: no noise interval.
   */
  cost?: { a: number | null; b: number | null; change: number | null; estimate: boolean };
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
  '(with replacement, same size). Success rate: difference in points; 95% Newcombe interval (two Wilson score intervals) for two proportions. ' +
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
  return { tier: r.tier, target: r.target, only, metrics, ...rowNotes(only === 'a' ? r : undefined, only === 'b' ? r : undefined) };
}

function rowNotes(ra: TargetTierResult | undefined, rb: TargetTierResult | undefined): Pick<DiffRow, 'clientBound' | 'badBody' | 'cost'> {
  const bound = (r?: TargetTierResult) => (r?.client?.clientBound ? (r.client.clientBoundReason ?? 'client-bound') : null);
  const ca = ra?.cost?.perMillionUsd ?? null;
  const cb = rb?.cost?.perMillionUsd ?? null;
  return {
    clientBound: { a: bound(ra), b: bound(rb) },
    badBody: { a: ra?.badBody ?? null, b: rb?.badBody ?? null },
    cost: { a: ca, b: cb, change: ca !== null && cb !== null && ca > 0 ? (cb - ca) / ca : null, estimate: Boolean(ra?.cost?.estimate || rb?.cost?.estimate) },
  };
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
  return { tier: ra.tier, target: ra.target, only: null, metrics, ...rowNotes(ra, rb) };
}

/** Wilson score interval of one proportion (95 %): sensible at 0 % and 100 %, where Wald's has zero width. */
export function wilsonInterval(ok: number, n: number, z = 1.96): [number, number] {
  const p = ok / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n))) / (1 + z2n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Difference of two proportions (B - A) with Newcombe's hybrid score interval (95 %), built from the
 * two Wilson intervals: 10 failures in 10,000 against none gets an interval of real width.
 */
export function successRateChange(okA: number, nA: number, okB: number, nB: number): MetricChange {
  if (nA === 0 || nB === 0) return { ...EMPTY, a: nA ? okA / nA : null, b: nB ? okB / nB : null };
  const pa = okA / nA;
  const pb = okB / nB;
  const [la, ua] = wilsonInterval(okA, nA);
  const [lb, ub] = wilsonInterval(okB, nB);
  const d = pb - pa;
  const interval: [number, number] = [d - Math.hypot(pb - lb, ua - pa), d + Math.hypot(ub - pb, pa - la)];
  return { a: pa, b: pb, change: d, interval, withinNoise: interval[0] <= 0 && interval[1] >= 0 };
}
