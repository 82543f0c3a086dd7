import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { Histogram } from 'hdr-histogram-js';

/**
 * A histogram as an empirical distribution: its non-empty buckets with the value HdrHistogram
 * reports for percentiles (highest equivalent) and for means (median equivalent), plus an alias
 * table so a bootstrap draw is O(1).
 */
export interface Empirical {
  total: number;
  percentileValue: Float64Array;
  meanValue: Float64Array;
  counts: Float64Array;
  aliasProb: Float64Array;
  alias: Uint32Array;
}

interface IterableHistogram {
  recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
  medianEquivalentValue(value: number): number;
}

export function empiricalFromHistogram(histogram: Histogram): Empirical {
  const h = histogram as unknown as IterableHistogram;
  const it = h.recordedValuesIterator;
  it.reset();
  const pv: number[] = [];
  const mv: number[] = [];
  const cs: number[] = [];
  while (it.hasNext()) {
    const v = it.next();
    pv.push(v.valueIteratedTo);
    mv.push(h.medianEquivalentValue(v.valueIteratedTo));
    cs.push(v.countAtValueIteratedTo);
  }
  return empirical(pv, mv, cs);
}

/** Builds an Empirical from plain arrays (values ascending). */
export function empirical(percentileValues: number[], meanValues: number[], counts: number[]): Empirical {
  const n = counts.length;
  const total = counts.reduce((a, b) => a + b, 0);
  // Vose's alias method.
  const aliasProb = new Float64Array(n);
  const alias = new Uint32Array(n);
  const scaled = counts.map((c) => (c * n) / total);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large.pop()!;
    aliasProb[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  for (const i of [...small, ...large]) aliasProb[i] = 1;
  return {
    total,
    percentileValue: Float64Array.from(percentileValues),
    meanValue: Float64Array.from(meanValues),
    counts: Float64Array.from(counts),
    aliasProb,
    alias,
  };
}

export interface SampleStats {
  mean: number;
  p50: number;
  p99: number;
}

/** Mean and percentiles of a distribution given as bucket counts (HdrHistogram's percentile rule). */
export function statsFromCounts(e: Empirical, counts: ArrayLike<number>, total: number): SampleStats {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i]! * e.meanValue[i]!;
  return { mean: sum / total, p50: percentileFromCounts(e, counts, total, 50), p99: percentileFromCounts(e, counts, total, 99) };
}

export function percentileFromCounts(e: Empirical, counts: ArrayLike<number>, total: number, percentile: number): number {
  const target = Math.max(1, Math.ceil((percentile / 100) * total));
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= target) return e.percentileValue[i]!;
  }
  return e.percentileValue[counts.length - 1]!;
}

/** A fast uniform source for resampling, seeded (the same seed gives the same intervals). */
export function uniformSource(seed: number): () => number {
  const rng = xoroshiro128plus(seed);
  return () => (rng.next() >>> 0) / 4294967296;
}

/** `resamples` bootstrap resamples (with replacement, same size as the original) of a distribution. */
export function bootstrapStats(e: Empirical, resamples: number, uniform: () => number): SampleStats[] {
  const n = e.counts.length;
  const counts = new Float64Array(n);
  const out: SampleStats[] = [];
  for (let r = 0; r < resamples; r++) {
    counts.fill(0);
    for (let k = 0; k < e.total; k++) {
      const u = uniform() * n;
      const i = u | 0;
      counts[u - i < e.aliasProb[i]! ? i : e.alias[i]!]!++;
    }
    out.push(statsFromCounts(e, counts, e.total));
  }
  return out;
}

/** The [2.5 %, 97.5 %] interval of a list of numbers (percentile bootstrap interval). */
export function interval95(values: number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.floor(q * (sorted.length - 1) + 0.5)))]!;
  return [at(0.025), at(0.975)];
}
