import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeHistogram, encodeHistogram, newLatencyHistogram } from '../../runner/engine/histogram.ts';
import { bootstrapStats, empiricalFromHistogram, interval95, percentileFromCounts, uniformSource } from '../../runner/diff/bootstrap.ts';
import { compareRuns, successRateChange, wilsonInterval } from '../../runner/diff/compare.ts';
import { DIFF_FORMATTERS } from '../../runner/diff/format.ts';
import { loadRunSummary } from '../../runner/diff/load.ts';
import { SCHEMA_VERSION, type RunSummary, type TargetTierResult } from '../../runner/results/schema.ts';
import { latencyStats } from '../../runner/results/stats.ts';
import { fakeResult } from './factories.ts';

/** A result whose histogram holds `n` deterministic draws uniform on [0.5, 1.5] x `medianUs`. */
function resultWith(target: TargetTierResult['target'], medianUs: number, n: number, ok = n): TargetTierResult {
  const h = newLatencyHistogram();
  for (let i = 0; i < n; i++) h.recordValue(Math.round(medianUs * (0.5 + (i + 0.5) / n)));
  return fakeResult({
    target,
    requests: n,
    ok,
    successRate: ok / n,
    latency: latencyStats(h),
    histogram: { ...fakeResult().histogram, count: h.totalCount, data: encodeHistogram(h) },
  });
}

function summary(runId: string, results: TargetTierResult[]): RunSummary {
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'api-load',
    runId,
    stage: 'local',
    complete: true,
    interrupted: false,
    startedAt: '2026-01-01T00:00:00.000Z',
    endedAt: '2026-01-01T00:01:00.000Z',
    settings: { scenario: 'test1', tiers: [], targets: [], mode: 'closed', rate: null, warmupPerTarget: 0, timeoutMs: 1000, seed: 1, requestOrder: '' },
    provenance: { runnerVersion: '0', gitCommit: null, gitDirty: null, node: 'v20', platform: 'linux', arch: 'x64', cpus: { count: 2, model: 'x' }, memoryBytes: 1 },
    backend: { region: 'local', tableName: 't', config: null },
    results,
  };
}

describe('bootstrap from stored histograms', () => {
  it('bucket percentiles match HdrHistogram\'s own', () => {
    const h = newLatencyHistogram();
    for (let i = 1; i <= 5000; i++) h.recordValue(i * 7);
    const e = empiricalFromHistogram(h);
    for (const p of [1, 50, 90, 99, 99.9]) assert.equal(percentileFromCounts(e, e.counts, e.total, p), h.getValueAtPercentile(p), `p${p}`);
    assert.equal(e.total, 5000);
  });

  it('the histogram survives compression to base64 and back', () => {
    const h = newLatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordValue(i * 13);
    const back = decodeHistogram(encodeHistogram(h));
    assert.equal(back.totalCount, 1000);
    assert.equal(back.getValueAtPercentile(99), h.getValueAtPercentile(99));
  });

  it('resamples centre on the original statistic, with a spread that shrinks as n grows', () => {
    const spread = (n: number) => {
      const r = resultWith('direct', 10_000, n);
      const stats = bootstrapStats(empiricalFromHistogram(decodeHistogram(r.histogram.data)), 300, uniformSource(7));
      const [lo, hi] = interval95(stats.map((s) => s.p50));
      assert.ok(lo <= r.latency!.p50Ms * 1000 + 20 && hi >= r.latency!.p50Ms * 1000 - 20);
      return hi - lo;
    };
    assert.ok(spread(4000) < spread(250));
  });

  it('is reproducible for a seed', () => {
    const e = empiricalFromHistogram(decodeHistogram(resultWith('direct', 5000, 200).histogram.data));
    assert.deepEqual(bootstrapStats(e, 20, uniformSource(3)), bootstrapStats(e, 20, uniformSource(3)));
  });
});

describe('compareRuns', () => {
  const a = summary('A', [resultWith('direct', 10_000, 2000), resultWith('sfn', 10_000, 2000), resultWith('lambda', 10_000, 500)]);
  const b = summary('B', [resultWith('direct', 10_000, 2000), resultWith('sfn', 20_000, 2000), resultWith('apprunner', 1000, 100)]);
  const report = compareRuns(a, b, { resamples: 300, seed: 1 });

  it('two samples of one distribution: no change, within noise', () => {
    const row = report.rows.find((r) => r.target === 'direct')!;
    for (const m of ['avgMs', 'p50Ms', 'p99Ms'] as const) {
      assert.equal(row.metrics[m].change, 0);
      assert.equal(row.metrics[m].withinNoise, true, m);
    }
  });

  it('a doubled latency: about +100 %, outside the noise', () => {
    const row = report.rows.find((r) => r.target === 'sfn')!;
    for (const m of ['avgMs', 'p50Ms', 'p99Ms'] as const) {
      assert.ok(Math.abs(row.metrics[m].change! - 1) < 0.01, `${m} ${row.metrics[m].change}`);
      assert.equal(row.metrics[m].withinNoise, false, m);
      assert.ok(row.metrics[m].interval![0] > 0.9 && row.metrics[m].interval![1] < 1.1, `${m} ${row.metrics[m].interval}`);
    }
  });

  it('lists rows found in only one run', () => {
    assert.equal(report.rows.find((r) => r.target === 'lambda')!.only, 'a');
    assert.equal(report.rows.find((r) => r.target === 'apprunner')!.only, 'b');
  });

  it('formats text, Markdown and JSON from the same report', () => {
    const md = DIFF_FORMATTERS.md(report);
    assert.match(md, /^\| tier \| target \|/m);
    assert.match(md, /\| test1 \| sfn \| 10\.\d ms → 2\d\.\d ms \| \+\d+\.\d% \|/);
    assert.match(md, /\| 0\.0% ~ noise \|/);
    assert.match(DIFF_FORMATTERS.text(report), /direct .*~ noise/);
    assert.deepEqual(JSON.parse(DIFF_FORMATTERS.json(report)).rows.length, 4);
  });
});

describe('success rate change', () => {
  it('equal perfect rates: zero change, within noise, and an interval of real width', () => {
    const c = successRateChange(100, 100, 100, 100);
    assert.deepEqual([c.a, c.b, c.change, c.withinNoise], [1, 1, 0, true]);
    // Wilson's lower bound for 100/100 is 1/(1 + 1.96²/100) = 0.963...: the interval is about ±3.7 points.
    assert.ok(Math.abs(c.interval![0] + (1 - 1 / (1 + 1.96 ** 2 / 100))) < 1e-12, String(c.interval));
    assert.ok(Math.abs(c.interval![1] - (1 - 1 / (1 + 1.96 ** 2 / 100))) < 1e-12, String(c.interval));
  });
  it('wilsonInterval matches a textbook value and stays inside [0, 1]', () => {
    const [lo, hi] = wilsonInterval(81, 263);
    assert.ok(Math.abs(lo - 0.2553) < 5e-4 && Math.abs(hi - 0.3662) < 5e-4, `${lo} ${hi}`);
    assert.deepEqual(wilsonInterval(0, 10).map((x) => x >= 0 && x <= 1), [true, true]);
    assert.equal(wilsonInterval(0, 10)[0], 0);
  });
  it('10 failures in 10,000 against none: beyond noise, with a non-zero interval', () => {
    const c = successRateChange(10_000, 10_000, 9_990, 10_000);
    assert.equal(c.withinNoise, false);
    assert.ok(c.interval![1] < 0 && c.interval![1] - c.interval![0] > 0.001, String(c.interval));
  });
  it('99 % vs 100 % of 10,000: a real drop', () => {
    const c = successRateChange(10_000, 10_000, 9_900, 10_000);
    assert.ok(Math.abs(c.change! + 0.01) < 1e-12);
    assert.equal(c.withinNoise, false);
  });
  it('1 failure in 100 vs none: within noise', () => {
    const c = successRateChange(100, 100, 99, 100);
    assert.equal(c.withinNoise, true);
    assert.ok(c.interval![0] < -0.04 && c.interval![1] > 0.02, String(c.interval));
  });
});

describe('loadRunSummary', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
  const tmp = async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'runner-diff-'));
    dirs.push(d);
    return d;
  };

  it('reads a run folder or its summary.json', async () => {
    const d = await tmp();
    await writeFile(path.join(d, 'summary.json'), JSON.stringify(summary('X', [])));
    assert.equal((await loadRunSummary(d)).runId, 'X');
    assert.equal((await loadRunSummary(path.join(d, 'summary.json'))).runId, 'X');
  });

  it('refuses a missing path, bad JSON, another file and an unknown schema version', async () => {
    const d = await tmp();
    await assert.rejects(loadRunSummary(path.join(d, 'nope')), /Cannot read run .*ENOENT/);
    await assert.rejects(loadRunSummary(d), /Cannot read .*summary\.json: ENOENT/);
    await writeFile(path.join(d, 'bad.json'), '{');
    await assert.rejects(loadRunSummary(path.join(d, 'bad.json')), /not valid JSON/);
    await writeFile(path.join(d, 'other.json'), '{"a":1}');
    await assert.rejects(loadRunSummary(path.join(d, 'other.json')), /not a runner summary\.json/);
    await writeFile(path.join(d, 'fanout.json'), JSON.stringify({ schemaVersion: 1, kind: 'fanout', results: [] }));
    await assert.rejects(loadRunSummary(path.join(d, 'fanout.json')), /fanout\.json is a fan-out run; diff compares API load runs/);
    await writeFile(path.join(d, 'v9.json'), JSON.stringify({ ...summary('Y', []), schemaVersion: 9 }));
    await assert.rejects(loadRunSummary(path.join(d, 'v9.json')), /schemaVersion 9/);
    // Committed runs are version 1; new ones version 2: both are read.
    for (const version of [1, 2]) {
      await writeFile(path.join(d, `v${version}.json`), JSON.stringify({ ...summary('Y', []), schemaVersion: version }));
      assert.equal((await loadRunSummary(path.join(d, `v${version}.json`))).schemaVersion, version);
    }
  });

  it('diff marks client-bound rows and bad bodies', async () => {
    const noHistogram = { histogram: { ...fakeResult().histogram, count: 0 } };
    const bound = fakeResult({ ...noHistogram, client: { workers: 1, loadFrom: 'local', clientBound: true, clientBoundReason: 'load generator saturated: event loop busy 99 %', health: [] }, badBody: 3 });
    const report = compareRuns(summary('A', [fakeResult(noHistogram)]), summary('B', [bound]), { resamples: 100, seed: 1 });
    assert.deepEqual(report.rows[0]!.clientBound, { a: null, b: 'load generator saturated: event loop busy 99 %' });
    const text = DIFF_FORMATTERS.text(report);
    assert.match(text, /client-bound in B, bad body in B: 3/);
    assert.match(text, /B: load generator saturated: event loop busy 99 %/);
  });
});
