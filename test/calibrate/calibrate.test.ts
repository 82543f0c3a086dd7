import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { recommend } from '../../runner/calibrate/calibrate.ts';
import { calibrationPath, describeMachine, lastCalibrationRef, type Calibration, type WorkerCapacity } from '../../runner/calibrate/calibration-file.ts';
import { jsonBodyOfSize, startDelayServer } from '../../runner/calibrate/delay-server.ts';
import { judge, searchCapacity, type Probe } from '../../runner/calibrate/search.ts';
import { parseCommand, UsageError } from '../../runner/cli/args.ts';
import { runCli } from '../runner/run-cli.ts';

/** A fake generator: p50 equals the baseline up to `knee` connections, then grows with concurrency. */
const fakeMeasure = (knee: number, baselineMs = 60, calls: number[] = []) => async (c: number): Promise<Probe> => {
  calls.push(c);
  const p50Ms = c <= knee ? baselineMs : baselineMs * (c / knee);
  return { concurrency: c, requests: c * 5, completed: c * 5, ok: c * 5, p50Ms, p99Ms: p50Ms * 2, throughputRps: (c / p50Ms) * 1000, wallMs: 1 };
};
const opts = { baselineMs: 60, tolerance: 0.1, start: 16, maxConcurrency: 2048, maxProbes: 12, resolution: 1.1, deadline: Number.POSITIVE_INFINITY };

describe('calibration search', () => {
  it('finds the knee within the resolution: doubling, then bisection', async () => {
    const calls: number[] = [];
    const r = await searchCapacity(fakeMeasure(300, 60, calls), opts);
    assert.equal(r.limitedBy, 'p50');
    assert.ok(r.best, 'a passing probe');
    // 10 % tolerance: anything up to 330 passes; the bracket ends within 10 %.
    assert.ok(r.best.concurrency >= 300 && r.best.concurrency <= 330, `best ${r.best.concurrency}`);
    assert.ok(r.firstFailure && r.firstFailure.concurrency / r.best.concurrency <= 1.1);
    assert.deepEqual(calls.slice(0, 6), [16, 32, 64, 128, 256, 512]);
    assert.ok(calls.length <= 12);
  });

  it('stops at the ceiling when nothing fails, and reports it', async () => {
    const r = await searchCapacity(fakeMeasure(1e9), { ...opts, maxConcurrency: 100 });
    assert.equal(r.limitedBy, 'max-concurrency');
    assert.equal(r.best?.concurrency, 100);
  });

  it('is bounded in probes and in time', async () => {
    const fewer = await searchCapacity(fakeMeasure(300), { ...opts, maxProbes: 3 });
    assert.equal(fewer.probes.length, 3);
    assert.equal(fewer.limitedBy, 'probes');
    let t = 0;
    const timed = await searchCapacity(async (c) => ((t += 1000), fakeMeasure(300)(c)), { ...opts, deadline: 2500, now: () => t });
    assert.equal(timed.probes.length, 3);
    assert.equal(timed.limitedBy, 'time');
  });

  it('has no answer when even the first probe is inflated, and failed requests fail a probe', async () => {
    const r = await searchCapacity(fakeMeasure(1), opts);
    assert.equal(r.best, null);
    const v = judge({ concurrency: 8, requests: 100, completed: 100, ok: 99, p50Ms: 60, p99Ms: 60, throughputRps: 1, wallMs: 1 }, 60, 0.1);
    assert.equal(v.pass, false);
    assert.match(v.reason!, /1 of 100 requests failed/);
    assert.equal(judge({ concurrency: 8, requests: 10, completed: 10, ok: 10, p50Ms: 66.5, p99Ms: 70, throughputRps: 1, wallMs: 1 }, 60, 0.1).pass, false);
  });

  it('recommends the worker count with the most connections and names the tiers that exceed it', () => {
    const cap = (workers: number, maxConcurrency: number): WorkerCapacity => ({
      workers, maxConcurrency, throughputRps: maxConcurrency * 10, bestThroughputRps: 0, p50Ms: 61, limitedBy: 'p50', firstFailure: null, probes: [],
    });
    const r = recommend([cap(1, 300), cap(2, 640)], 0.1, 60);
    assert.equal(r.workers, 2);
    assert.equal(r.maxConcurrency, 640);
    assert.match(r.text, /test1, test2, test3, test4 fit; test5 \(1000\) exceeds it/);
    assert.match(recommend([cap(1, 0)], 0.1, 60).text, /too busy/);
  });
});

describe('calibration file', () => {
  const machine = describeMachine();
  it('is absent until written, read back as the run records it, and refused when corrupt', () => {
    const root = mkdtempSync(join(tmpdir(), 'sst-cal-'));
    assert.equal(lastCalibrationRef(root, machine), undefined);
    const file = calibrationPath(machine.machineId, root);
    mkdirSync(join(root, '.sst', 'calibration'), { recursive: true });
    const cal: Calibration = {
      kind: 'calibration', version: 1, machine, createdAt: '2026-12-04T00:00:00.000Z', runnerCommit: null,
      loadAverage: { before: [1, 1, 1], after: [1, 1, 1] },
      server: { delayMs: 60, bodyBytes: 35840, baselineP50Ms: 61.2, baselineRequests: 40 }, tolerance: 0.1, engine: 'test',
      results: [{ workers: 1, maxConcurrency: 128, throughputRps: 2000, bestThroughputRps: 2000, p50Ms: 62, limitedBy: 'p50', firstFailure: null, probes: [] }],
      recommendation: { workers: 1, maxConcurrency: 128, text: 'x' },
    };
    writeFileSync(file, JSON.stringify(cal));
    const ref = lastCalibrationRef(root, machine)!;
    assert.equal(ref.machineId, machine.machineId);
    assert.deepEqual(ref.perWorkers, [{ workers: 1, maxConcurrency: 128, throughputRps: 2000, limitedBy: 'p50' }]);
    assert.equal(JSON.stringify(ref).includes(hostname()), false, 'no host name stored');
    writeFileSync(file, '{ not json');
    assert.throws(() => lastCalibrationRef(root, machine), /not valid JSON.*node runner calibrate/);
    writeFileSync(file, JSON.stringify({ ...cal, machine: { ...machine, machineId: 'other' } }));
    assert.throws(() => lastCalibrationRef(root, machine), /not a version 1 calibration of this machine/);
  });
});


describe('delay server', () => {
  it('answers a JSON body of the asked size after the delay', async () => {
    assert.equal(jsonBodyOfSize(35 * 1024).length, 35 * 1024);
    assert.doesNotThrow(() => JSON.parse(jsonBodyOfSize(100).toString()));
    const server = await startDelayServer({ delayMs: 50, bodyBytes: 2048 });
    try {
      const t0 = performance.now();
      const res = await request(`${server.url}/x`);
      const body = await res.body.arrayBuffer();
      const ms = performance.now() - t0;
      assert.equal(res.statusCode, 200);
      assert.equal(body.byteLength, 2048);
      assert.ok(ms >= 49, `answered after ${ms} ms`);
    } finally {
      await server.close();
    }
  });
});

describe('node runner calibrate', () => {
  it('parses its options; bad worker counts are usage errors', () => {
    const c = parseCommand(['calibrate', '--delay-ms', '20', '--body-kb', '4', '--workers', '1', '--tolerance', '15', '--budget', '10']);
    assert.equal(c.name, 'calibrate');
    if (c.name !== 'calibrate') return;
    assert.deepEqual(c.options.workers, [1]);
    assert.equal(c.options.tolerance, 0.15);
    assert.throws(() => parseCommand(['calibrate', '--workers', '0']), UsageError);
    assert.throws(() => parseCommand(['calibrate', '--workers', '9999']), /cores of this machine/);
  });

  it('end to end: delay server in its own process, a bounded search, the file written', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sst-cal-')), 'cal.json');
    const r = await runCli(['calibrate', '--workers', '1', '--delay-ms', '20', '--body-kb', '2', '--max-concurrency', '32', '--budget', '20', '--out', out], 90_000);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /delay server: own process \(pid \d+\)/);
    assert.match(r.stdout, /recommendation: /);
    assert.ok(existsSync(out));
    const cal = JSON.parse(readFileSync(out, 'utf8')) as Calibration;
    assert.equal(cal.server.delayMs, 20);
    assert.ok(cal.server.baselineP50Ms >= 20, `baseline ${cal.server.baselineP50Ms}`);
    assert.equal(cal.results[0]!.workers, 1);
    assert.ok(cal.results[0]!.probes.length >= 1 && cal.results[0]!.probes.length <= 12);
  });
});
