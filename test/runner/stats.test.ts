import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newLatencyHistogram } from '../../runner/engine/histogram.ts';
import { classifyError, Tally } from '../../runner/engine/tally.ts';
import { coCorrectedStats, latencyStats } from '../../runner/results/stats.ts';

const within = (actual: number, expected: number, relative: number) =>
  assert.ok(Math.abs(actual - expected) <= Math.abs(expected) * relative, `${actual} not within ${relative * 100}% of ${expected}`);

describe('latency statistics', () => {
  it('uniform 1..10,000 us: percentiles, mean and standard deviation within HDR precision', () => {
    const h = newLatencyHistogram();
    for (let us = 1; us <= 10_000; us++) h.recordValue(us);
    const s = latencyStats(h)!;
    assert.equal(s.fastestMs, 0.001);
    assert.equal(s.maxMs, 10);
    within(s.p50Ms, 5, 0.002);
    within(s.p90Ms, 9, 0.002);
    within(s.p99Ms, 9.9, 0.002);
    within(s.p999Ms, 9.99, 0.002);
    within(s.avgMs, 5.0005, 0.002);
    within(s.stdevMs, 10 / Math.sqrt(12), 0.005);
  });

  it('a constant distribution has zero spread and every percentile equal to the value', () => {
    const h = newLatencyHistogram();
    for (let i = 0; i < 1000; i++) h.recordValue(42_000);
    const s = latencyStats(h)!;
    assert.equal(s.stdevMs, 0);
    for (const v of [s.fastestMs, s.p50Ms, s.p99Ms, s.p999Ms, s.maxMs]) within(v, 42, 0.001);
    assert.ok(s.p999Ms <= s.maxMs);
  });

  it('exponential(mean 100 ms): p50 = ln 2 x mean and p99 = ln 100 x mean', () => {
    const h = newLatencyHistogram();
    const n = 20_000;
    // Deterministic quantiles of the exponential distribution instead of random draws.
    for (let i = 0; i < n; i++) h.recordValue(Math.round(-Math.log(1 - (i + 0.5) / n) * 100_000));
    const s = latencyStats(h)!;
    within(s.p50Ms, 100 * Math.LN2, 0.003);
    within(s.p99Ms, 100 * Math.log(100), 0.003);
    within(s.avgMs, 100, 0.01);
    within(s.stdevMs, 100, 0.02);
  });

  it('percentiles never exceed the maximum', () => {
    const h = newLatencyHistogram();
    [2456, 1000, 1200].forEach((v) => h.recordValue(v));
    const s = latencyStats(h)!;
    assert.equal(s.maxMs, 2.456);
    assert.ok(s.p999Ms <= s.maxMs && s.p99Ms <= s.maxMs);
  });

  it('an empty histogram has no statistics', () => {
    assert.equal(latencyStats(newLatencyHistogram()), null);
  });

  it('correcting a closed loop for coordinated omission fills in the stall', () => {
    const h = newLatencyHistogram();
    for (let i = 0; i < 990; i++) h.recordValue(1_000); // 1 ms
    h.recordValue(1_000_000); // one 1 s stall hides ~1,000 requests a client would have sent
    assert.ok(latencyStats(h)!.p99Ms < 2);
    assert.ok(coCorrectedStats(h)!.p99Ms > 500);
  });
});

describe('Tally', () => {
  it('counts statuses, 2xx and client errors; clamps latencies to 1 us..60 s', () => {
    const t = new Tally();
    t.recordResponse(200, 1.5, 100);
    t.recordResponse(204, 0.0001, 0);
    t.recordResponse(429, 2, 10);
    t.recordResponse(200, 61_000, 5);
    t.recordError('timeout', 'Headers Timeout Error');
    t.recordError('timeout', 'second');
    assert.equal(t.completed, 6);
    assert.equal(t.ok, 3);
    assert.equal(t.bytes, 115);
    assert.equal(t.clamped, 1);
    assert.equal(t.errorCount, 2);
    assert.deepEqual(t.statusCountRecord(), { '200': 2, '204': 1, '429': 1 });
    assert.equal(t.errorSamples.timeout, 'Headers Timeout Error');
    assert.equal(t.histogram.minNonZeroValue, 1);
    assert.equal(t.histogram.maxValue, 60_000_000);
  });

  it('classifies undici and socket errors by kind', () => {
    assert.equal(classifyError({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout');
    assert.equal(classifyError({ code: 'UND_ERR_BODY_TIMEOUT' }), 'timeout');
    assert.equal(classifyError({ code: 'ECONNREFUSED' }), 'refused');
    assert.equal(classifyError({ code: 'ECONNRESET' }), 'reset');
    assert.equal(classifyError({ code: 'UND_ERR_SOCKET' }), 'reset');
    assert.equal(classifyError(new Error('x')), 'other');
    assert.equal(classifyError(null), 'other');
  });
});
