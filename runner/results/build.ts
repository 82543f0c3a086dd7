import type { Target } from '../../lib/stage/targets.ts';
import type { LoadResult } from '../engine/load.ts';
import { encodeHistogram, HISTOGRAM_SETTINGS } from '../engine/histogram.ts';
import { CLIENT_ERROR_KINDS } from '../engine/tally.ts';
import type { StageName, TargetTierResult } from './schema.ts';
import { coCorrectedStats, latencyStats } from './stats.ts';

export interface ResultContext {
  stage: StageName;
  scenario: string;
  tier: string;
  target: Target;
  requests: number;
  concurrency: number;
  rate: number | null;
}

/** Turns one target's load result into its stored row (statistics, counts, compressed histogram). */
export function buildTargetTierResult(ctx: ResultContext, load: LoadResult): TargetTierResult {
  const { tally } = load;
  const latency = latencyStats(tally.histogram);
  const failed = tally.ok === 0;
  return {
    stage: ctx.stage,
    scenario: ctx.scenario,
    tier: ctx.tier,
    target: ctx.target,
    mode: ctx.rate === null ? 'closed' : 'open',
    requests: ctx.requests,
    concurrency: ctx.concurrency,
    rate: ctx.rate,
    ok: tally.ok,
    successRate: ctx.requests === 0 ? 0 : tally.ok / ctx.requests,
    statusCounts: tally.statusCountRecord(),
    clientErrors: { ...tally.errors },
    clientErrorSamples: { ...tally.errorSamples },
    failed,
    failureReason: failed ? failureReason(tally.statusCountRecord(), tally.errors, tally.errorSamples) : null,
    latency,
    latencyCoCorrected: ctx.rate === null ? coCorrectedStats(tally.histogram) : null,
    throughputRps: load.wallMs > 0 ? round(tally.completed / (load.wallMs / 1000), 1) : 0,
    bytesReceived: tally.bytes,
    startedAt: load.startedAt.toISOString(),
    endedAt: load.endedAt.toISOString(),
    wallMs: round(load.wallMs, 1),
    histogram: {
      encoding: HISTOGRAM_SETTINGS.encoding,
      unit: HISTOGRAM_SETTINGS.unit,
      lowestDiscernibleValue: HISTOGRAM_SETTINGS.lowestDiscernibleValue,
      highestTrackableValue: HISTOGRAM_SETTINGS.highestTrackableValue,
      significantDigits: HISTOGRAM_SETTINGS.significantDigits,
      count: tally.histogram.totalCount,
      data: encodeHistogram(tally.histogram),
    },
  };
}

function failureReason(
  statusCounts: Record<string, number>,
  errors: Record<string, number>,
  samples: Partial<Record<string, string>>,
): string {
  const parts = [
    ...Object.entries(statusCounts).map(([status, n]) => `${n} x HTTP ${status}`),
    ...CLIENT_ERROR_KINDS.filter((k) => errors[k]! > 0).map((k) => `${errors[k]} x ${k}${samples[k] ? ` (${samples[k]})` : ''}`),
  ];
  return `no 2xx response: ${parts.join(', ') || 'no request completed'}`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
