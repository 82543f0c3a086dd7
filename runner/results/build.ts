import type { Target } from '../../lib/stage/targets.ts';
import { judgeClientBound } from '../engine/guard.ts';
import { encodeHistogram, HISTOGRAM_SETTINGS } from '../engine/histogram.ts';
import type { LoadResult } from '../engine/load.ts';
import { CLIENT_ERROR_KINDS, type Tally } from '../engine/tally.ts';
import type { Histogram } from 'hdr-histogram-js';
import type { BodyCheckInfo, ClientInfo, StageName, StoredHistogram, TargetTierResult } from './schema.ts';
import { coCorrectedStats, latencyStats } from './stats.ts';

export interface ResultContext {
  stage: StageName;
  scenario: string;
  tier: string;
  target: Target;
  requests: number;
  concurrency: number;
  rate: number | null;
  /** One in this many 2xx bodies parsed whole; null when bodies were not checked. */
  fullParseEvery?: number | null;
  /** Where the load came from (default: this machine). */
  loadFrom?: Pick<ClientInfo, 'loadFrom' | 'region' | 'memoryMb'>;
}

/** Turns one target's load result into its stored row (statistics, counts, compressed histograms). */
export function buildTargetTierResult(ctx: ResultContext, load: LoadResult): TargetTierResult {
  const { tally } = load;
  const latency = latencyStats(tally.histogram);
  const failed = tally.ok === 0;
  const verdict = judgeClientBound(load.health ?? []);
  const fullParseEvery = ctx.fullParseEvery ?? null;
  const bodyCheck: BodyCheckInfo =
    fullParseEvery === null
      ? { mode: 'none', expected: 'not checked', fullParseEvery: null, checked: 0, fullyParsed: 0 }
      : {
          mode: 'all',
          expected: 'breed and count of the seeded data set (lib/turkeys/breed-counts.ts); turkeys[] holding count items when parsed whole',
          fullParseEvery,
          checked: tally.bodyChecked,
          fullyParsed: tally.bodyFullyParsed,
        };
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
    failureReason: failed ? failureReason(tally) : null,
    latency,
    latencyCoCorrected: ctx.rate === null ? coCorrectedStats(tally.histogram) : null,
    throughputRps: load.wallMs > 0 ? round(tally.completed / (load.wallMs / 1000), 1) : 0,
    bytesReceived: tally.bytes,
    startedAt: load.startedAt.toISOString(),
    endedAt: load.endedAt.toISOString(),
    wallMs: round(load.wallMs, 1),
    histogram: stored(tally.histogram),
    badBody: tally.badBody,
    badBodyKinds: { ...tally.badBodyKinds },
    badBodySamples: tally.badBodySamples.map((s) => ({ ...s })),
    bodyCheck,
    latencyAll: latencyStats(tally.histogramAll),
    histogramAll: stored(tally.histogramAll),
    coldStarts: {
      cold: tally.cold,
      warm: tally.warm,
      unknown: tally.unknownStart,
      instances: tally.instanceCount,
      coldLatency: latencyStats(tally.coldHistogram),
      warmLatency: latencyStats(tally.warmHistogram),
    },
    headerSums: Object.fromEntries([...tally.headerSums].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }])),
    client: {
      workers: load.workers ?? 1,
      ...(ctx.loadFrom ?? { loadFrom: 'local' }),
      clientBound: verdict.clientBound,
      clientBoundReason: verdict.reason,
      health: load.health ?? [],
    },
  };
}

function stored(h: Histogram): StoredHistogram {
  return {
    encoding: HISTOGRAM_SETTINGS.encoding,
    unit: HISTOGRAM_SETTINGS.unit,
    lowestDiscernibleValue: HISTOGRAM_SETTINGS.lowestDiscernibleValue,
    highestTrackableValue: HISTOGRAM_SETTINGS.highestTrackableValue,
    significantDigits: HISTOGRAM_SETTINGS.significantDigits,
    count: h.totalCount,
    data: encodeHistogram(h),
  };
}

function failureReason(tally: Tally): string {
  const statusCounts = tally.statusCountRecord();
  const parts = [
    ...Object.entries(statusCounts).map(([status, n]) => `${n} x HTTP ${status}`),
    ...(tally.badBody > 0 ? [`${tally.badBody} x bad body (${tally.badBodySamples[0]?.detail ?? ''})`] : []),
    ...CLIENT_ERROR_KINDS.filter((k) => tally.errors[k] > 0).map((k) => `${tally.errors[k]} x ${k}${tally.errorSamples[k] ? ` (${tally.errorSamples[k]})` : ''}`),
  ];
  return `no ${tally.badBody > 0 ? 'good ' : ''}2xx response: ${parts.join(', ') || 'no request completed'}`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
