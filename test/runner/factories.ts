import type { TargetTierResult } from '../../runner/results/schema.ts';

/** A stored result row with plausible values; override what a test is about. */
export function fakeResult(overrides: Partial<TargetTierResult> = {}): TargetTierResult {
  return {
    stage: 'local',
    scenario: 'test1',
    tier: 'test1',
    target: 'direct',
    mode: 'closed',
    requests: 100,
    concurrency: 1,
    rate: null,
    ok: 98,
    successRate: 0.98,
    statusCounts: { '200': 98, '503': 2 },
    clientErrors: { timeout: 0, refused: 0, reset: 0, other: 0 },
    clientErrorSamples: {},
    failed: false,
    failureReason: null,
    latency: { fastestMs: 1, avgMs: 2, stdevMs: 0.5, p50Ms: 2, p90Ms: 3, p99Ms: 4, p999Ms: 5, maxMs: 6 },
    latencyCoCorrected: null,
    throughputRps: 50,
    bytesReceived: 1000,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:00:02.000Z',
    wallMs: 2000,
    histogram: { encoding: 'hdr-compressed-base64', unit: 'us', lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, significantDigits: 3, count: 100, data: '' },
    ...overrides,
  };
}
