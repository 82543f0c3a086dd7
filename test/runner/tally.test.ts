import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { breedCounts } from '../../lib/turkeys/breed-counts.ts';
import { BREEDS } from '../../lib/turkeys/breeds.ts';
import { judgeClientBound } from '../../runner/engine/guard.ts';
import type { WorkerHealth } from '../../runner/engine/health.ts';
import { runLoad } from '../../runner/engine/load.ts';
import { breedPageCheck, compileCheck } from '../../runner/engine/response-check.ts';
import { mergeSliceResults, runSlice, sliceShare, type LoadPlan, type SliceResult } from '../../runner/engine/slice.ts';
import { buildTargetTierResult } from '../../runner/results/build.ts';
import { requestPlan } from '../../runner/request-order.ts';

const counts = breedCounts();
const page = (breed: string, count = counts.get(breed) ?? 0, items = count) =>
  JSON.stringify({ breed, count, turkeys: Array.from({ length: items }, (_, i) => ({ id: `t${i}`, name: `n${i}` })) });

/** Answers /turkeys/{breed} per `behave(breed, index)`; sends x-sst-* headers; records the order of paths. */
async function startServer(behave: (breed: string, i: number) => { body: string; headers?: Record<string, string>; status?: number } | 'hang') {
  let i = 0;
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    paths.push(req.url!);
    const breed = decodeURIComponent(req.url!.split('/turkeys/')[1] ?? '');
    const answer = behave(breed, i++);
    if (answer === 'hang') return;
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));
const breeds = BREEDS.slice(0, 10);

function planFor(url: string, requests: number, concurrency: number, every = 4): LoadPlan {
  const order = Array.from({ length: requests }, (_, i) => breeds[i % breeds.length]!);
  const p = requestPlan(url, order);
  return { origin: p.origin, paths: p.paths, requests, concurrency, timeoutMs: 2000, responseCheck: breedPageCheck(p.paths, order, counts, every) };
}

describe('body check', () => {
  it('passes the right page in either key order and flags wrong count, zero count, wrong breed, short turkeys[] and non-JSON', () => {
    const check = compileCheck(breedPageCheck(['/turkeys/Auburn'], ['Auburn'], counts, 1_000_000));
    const n = counts.get('Auburn')!;
    const v = (body: string, full = false) => check.verdict('/turkeys/Auburn', [Buffer.from(body)], full)?.kind ?? null;
    assert.equal(v(page('Auburn')), null);
    assert.equal(v(page('Auburn'), true), null);
    assert.equal(v(JSON.stringify({ turkeys: [], count: n, breed: 'Auburn' })), 'incomplete', 'other key order: parsed whole');
    assert.equal(v(page('Auburn', n + 1)), 'wrong_count');
    assert.equal(v(page('Auburn', 0)), 'wrong_count');
    assert.equal(v(page('Buff')), 'wrong_breed');
    assert.equal(v(page('Auburn', n, n - 1)), null, 'the head check alone does not count turkeys');
    assert.equal(v(page('Auburn', n, n - 1), true), 'incomplete');
    assert.equal(v('<html>502</html>'), 'unparseable');
    assert.equal(v('{"breed":"Aub'), 'unparseable');
    // JSON escapes in the breed are decoded before comparing.
    const c2 = compileCheck(breedPageCheck(['/x'], ['Cröllwitzer'], counts, 1_000_000));
    const body = `{"breed":"Cr\\u00f6llwitzer","count":${counts.get('Cröllwitzer')},"turkeys":[]}`;
    assert.equal(c2.verdict('/x', [Buffer.from(body)], false), null);
    // A head split over chunks is joined.
    const whole = Buffer.from(page('Auburn'));
    assert.equal(check.verdict('/turkeys/Auburn', [whole.subarray(0, 5), whole.subarray(5, 20), whole.subarray(20)], false), null);
  });

  it('under load: ok counts only good 2xx; bad bodies are their own kind with samples; all requests checked, a sample parsed whole', async () => {
    const s = await startServer((breed, i) => ({ body: i % 10 === 3 ? page(breed, 0) : i % 10 === 7 ? 'not json' : page(breed) }));
    closers.push(s.close);
    const plan = planFor(s.url, 100, 4);
    const r = await runLoad({ ...plan, workers: 1 });
    assert.equal(r.tally.completed, 100);
    assert.equal(r.tally.badBody, 20);
    assert.equal(r.tally.ok, 80);
    assert.equal(r.tally.badBodyKinds.wrong_count, 10);
    assert.equal(r.tally.badBodyKinds.unparseable, 10);
    assert.equal(r.tally.bodyChecked, 100);
    assert.ok(r.tally.bodyFullyParsed >= 25 && r.tally.bodyFullyParsed <= 40, `parsed whole ${r.tally.bodyFullyParsed}`);
    assert.ok(r.tally.badBodySamples.length > 0 && r.tally.badBodySamples.length <= 5);
    const row = buildTargetTierResult(
      { stage: 'local', scenario: 't', tier: 't', target: 'direct', requests: 100, concurrency: 4, rate: null, fullParseEvery: 4 },
      r,
    );
    assert.equal(row.badBody, 20);
    assert.equal(row.ok, 80);
    assert.equal(row.successRate, 0.8);
    assert.equal(row.bodyCheck?.mode, 'all');
    assert.equal(row.statusCounts['200'], 100, 'the status is still counted');
  });

  it('a target whose every 2xx is a bad body fails the tier, saying why', async () => {
    const s = await startServer((breed) => ({ body: page(breed, 0) }));
    closers.push(s.close);
    const r = await runLoad({ ...planFor(s.url, 10, 2), workers: 1 });
    const row = buildTargetTierResult({ stage: 'local', scenario: 't', tier: 't', target: 'sfn', requests: 10, concurrency: 2, rate: null, fullParseEvery: 4 }, r);
    assert.equal(row.failed, true);
    assert.match(row.failureReason!, /no good 2xx response: 10 x HTTP 200, 10 x bad body \(count 0/);
  });
});

describe('header tallies and the all-requests histogram', () => {
  it('counts cold and warm starts per x-sst-cold-start, distinct instances, and sums numeric x-sst-* headers', async () => {
    const s = await startServer((breed, i) => ({
      body: page(breed),
      headers:
        i % 5 === 4
          ? ({} as Record<string, string>)
          : { 'x-sst-instance-id': `inst-${i % 3}`, 'X-SST-Cold-Start': i < 3 ? '1' : '0', 'x-sst-billed-duration-ms': '12.5', 'x-sst-read-units': '2', 'x-sst-note': 'text' },
    }));
    closers.push(s.close);
    const r = await runLoad({ ...planFor(s.url, 20, 1), workers: 1 });
    assert.equal(r.tally.cold, 3);
    assert.equal(r.tally.warm, 13);
    assert.equal(r.tally.unknownStart, 4);
    assert.equal(r.tally.instanceCount, 3);
    assert.equal(r.tally.coldHistogram.totalCount, 3);
    assert.deepEqual(Object.fromEntries(r.tally.headerSums), { 'billed-duration-ms': { sum: 200, count: 16 }, 'read-units': { sum: 32, count: 16 } });
    const row = buildTargetTierResult({ stage: 'local', scenario: 't', tier: 't', target: 'lambda', requests: 20, concurrency: 1, rate: null }, r);
    assert.equal(row.coldStarts?.instances, 3);
    assert.ok(row.coldStarts?.coldLatency && row.coldStarts.warmLatency);
    assert.equal(row.headerSums?.['read-units']?.sum, 32);
  });

  it('records failures in the all-requests histogram at the time they were given up', async () => {
    const s = await startServer((breed, i) => (i % 2 === 0 ? 'hang' : { body: page(breed) }));
    closers.push(s.close);
    const r = await runLoad({ ...planFor(s.url, 6, 6), timeoutMs: 300, workers: 1 });
    assert.equal(r.tally.errors.timeout, 3);
    assert.equal(r.tally.histogram.totalCount, 3);
    assert.equal(r.tally.histogramAll.totalCount, 6);
    assert.ok(r.tally.histogramAll.maxValue >= 290_000, `timeouts recorded at ~300 ms, max ${r.tally.histogramAll.maxValue} us`);
    assert.ok(r.tally.histogram.maxValue < 290_000);
  });
});

describe('slices and workers', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    server = await startServer((breed) => ({ body: page(breed) }));
    closers.push(server.close);
  });

  it('sliceShare splits totals exactly', () => {
    for (const [total, n] of [[10, 3], [1000, 2], [1, 4], [0, 2]] as const) {
      const shares = Array.from({ length: n }, (_, k) => sliceShare(total, k, n));
      assert.equal(shares.reduce((a, b) => a + b, 0), total);
      assert.ok(Math.max(...shares) - Math.min(...shares) <= 1);
    }
  });

  it('slices cover every request once, travel as JSON, and merge exactly (histograms added, counts summed)', async () => {
    const plan = planFor(server.url, 45, 6);
    const before = server.paths.length;
    const startAtEpochMs = Date.now() + 50;
    const results = await Promise.all([0, 1, 2].map((k) => runSlice(JSON.parse(JSON.stringify({ plan, sliceIndex: k, sliceCount: 3, startAtEpochMs })))));
    const roundTripped = JSON.parse(JSON.stringify(results)) as SliceResult[];
    assert.deepEqual(roundTripped.map((r) => r.requests), [15, 15, 15]);
    assert.deepEqual(roundTripped.map((r) => r.connections), [2, 2, 2]);
    const sent = server.paths.slice(before).sort();
    assert.deepEqual(sent, [...plan.paths].sort(), 'every planned request exactly once');
    for (const r of roundTripped) assert.ok(r.startedAtEpochMs >= startAtEpochMs - 1, 'no slice starts before the agreed instant');
    const merged = mergeSliceResults(roundTripped);
    assert.equal(merged.tally.completed, 45);
    assert.equal(merged.tally.ok, 45);
    assert.equal(merged.tally.histogram.totalCount, 45);
    assert.equal(merged.health.length, 3);
    // Exact: the merged histogram's max and min are those of the slices.
    const maxes = results.map((r) => mergeSliceResults([r]).tally.histogram.maxValue);
    assert.equal(merged.tally.histogram.maxValue, Math.max(...maxes));
    assert.equal(merged.wallMs, Math.max(...results.map((r) => r.endedAtEpochMs)) - Math.min(...results.map((r) => r.startedAtEpochMs)));
  });

  it('open loop across slices keeps the plan\'s schedule: request i due at start + i / rate', async () => {
    const plan = { ...planFor(server.url, 40, 4), rate: 200 };
    const startAtEpochMs = Date.now() + 50;
    const results = await Promise.all([0, 1].map((k) => runSlice({ plan, sliceIndex: k, sliceCount: 2, startAtEpochMs })));
    const merged = mergeSliceResults(results);
    assert.equal(merged.tally.ok, 40);
    // 40 requests at 200/s in all: the last is due 195 ms after the start, whatever the slice.
    assert.ok(merged.wallMs >= 190 && merged.wallMs < 1000, `wall ${merged.wallMs} ms`);
  });

  it('runLoad with 2 worker threads: same totals, one start, per-worker health', async () => {
    const plan = planFor(server.url, 200, 20);
    const before = server.paths.length;
    const r = await runLoad({ ...plan, warmup: 4, workers: 2 });
    assert.equal(r.workers, 2);
    assert.equal(r.tally.completed, 200);
    assert.equal(r.tally.ok, 200);
    assert.equal(r.tally.bodyChecked, 200);
    assert.equal(server.paths.length - before, 204, 'warm-up split between the workers');
    assert.equal(r.health?.length, 2);
    for (const h of r.health!) {
      assert.ok(h.eventLoopUtilization > 0 && h.eventLoopUtilization <= 1);
      assert.ok(h.startLagMs < 200, `start lag ${h.startLagMs} ms`);
    }
  });

  it('runLoad with workers: an abort stops every worker', async () => {
    const slow = await startServer((breed) => ({ body: page(breed) }));
    closers.push(slow.close);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 600);
    const r = await runLoad({ ...planFor(slow.url, 1_000_000, 4), workers: 2, signal: controller.signal });
    assert.equal(r.aborted, true);
    assert.ok(r.tally.completed < 1_000_000);
  });
});

describe('saturation guard', () => {
  const h = (over: Partial<WorkerHealth>): WorkerHealth => ({
    sliceIndex: 0,
    eventLoopUtilization: 0.3,
    eventLoopDelayMs: { p50: 10, p99: 12, max: 20 },
    cpuMs: 100,
    cpuScope: 'thread',
    cpuShare: 0.3,
    startLagMs: 0,
    ...over,
  });
  it('flags a saturated worker with the reason, and not a healthy one', () => {
    assert.deepEqual(judgeClientBound([h({})]), { clientBound: false, reason: null });
    const busy = judgeClientBound([h({}), h({ sliceIndex: 1, eventLoopUtilization: 0.97 })]);
    assert.equal(busy.clientBound, true);
    assert.match(busy.reason!, /worker 2: event loop busy 97 %/);
    const late = judgeClientBound([h({ eventLoopDelayMs: { p50: 11, p99: 250, max: 400 } })]);
    assert.match(late.reason!, /event-loop delay p99 250 ms/);
    const starved = judgeClientBound([h({ eventLoopUtilization: 0.4, cpuShare: 0.1 })]);
    assert.match(starved.reason!, /starved of CPU: the thread ran 10 % of the time while its loop was busy 40 %/);
    assert.equal(judgeClientBound([h({ eventLoopUtilization: 0.4, cpuShare: 0.1, cpuScope: 'process' })]).clientBound, false, 'process CPU says nothing about one thread');
    assert.equal(judgeClientBound([h({ eventLoopUtilization: 0.59, cpuShare: 0.5 })]).clientBound, false);
    assert.equal(judgeClientBound([h({ eventLoopUtilization: 0.6 })]).clientBound, true);
  });
});

describe('default workers', () => {
  it('one per 50 connections, at most one per CPU, at least one', async () => {
    const { defaultWorkers } = await import('../../runner/engine/load.ts');
    assert.deepEqual([1, 10, 100, 500, 1000].map((c) => defaultWorkers(c, 2)), [1, 1, 2, 2, 2]);
    assert.deepEqual([1, 10, 100, 500, 1000].map((c) => defaultWorkers(c, 8)), [1, 1, 2, 8, 8]);
  });
});
