import assert from 'node:assert/strict';
import { mkdtemp, readFile, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../lib/errors.ts';
import { newLatencyHistogram } from '../../runner/engine/histogram.ts';
import { compareRuns } from '../../runner/diff/compare.ts';
import type { RunSummary } from '../../runner/results/schema.ts';
import { apiRunPage } from '../../runner/report/api-run.ts';
import { percentileCurve, TARGET_COLORS, type ChartSpec } from '../../runner/report/charts.ts';
import { diffPage } from '../../runner/report/diff-page.ts';
import { fanoutRunPage } from '../../runner/report/fanout-run.ts';
import { historyPage, loadHistory } from '../../runner/report/history.ts';
import { escapeHtml, jsonForScript, renderPage } from '../../runner/report/html.ts';
import { loadRun } from '../../runner/report/load.ts';
import { writeHistoryReport, writeRunReport } from '../../runner/report/write.ts';
import { HOSTILE, writeApiRun, writeFanoutRun } from './fixtures.ts';

let dir: string;
let local: { dir: string; summary: RunSummary };
let older: { dir: string; summary: RunSummary };
let aws: { dir: string; summary: RunSummary };
let fanoutDir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'report-pages-'));
  local = await writeApiRun({ resultsDir: dir, startedAt: new Date(Date.UTC(2026, 1, 2, 9)), failSfn: true, seed: 40 });
  older = await writeApiRun({ resultsDir: dir, startedAt: new Date(Date.UTC(2026, 1, 1, 9)), slowdown: 0.8 });
  aws = await writeApiRun({ resultsDir: dir, stage: 'aws', startedAt: new Date(Date.UTC(2026, 1, 3, 9)), config: null, complete: false });
  fanoutDir = (await writeFanoutRun(dir, new Date(Date.UTC(2026, 1, 4, 9)), { late: true })).dir;
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const scripts = (html: string) => html.match(/<\/script>/gi)?.length ?? 0;
const bodyOf = (html: string) => html.slice(0, html.indexOf('<script'));

describe('escaping', () => {
  it('escapeHtml escapes markup and quotes', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
  it('JSON for a script block has no < > & and reads back to the same data', () => {
    const data = { name: HOSTILE, sep: 'a\u2028b\u2029c', amp: 'x&y' };
    const text = jsonForScript(data);
    assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(text), data);
  });
  it('a page holding hostile data still has exactly three script elements and shows the data as text', () => {
    const html = renderPage({ title: HOSTILE, body: `<p>${escapeHtml(HOSTILE)}</p>`, charts: { c: { type: 'bar', data: { labels: [HOSTILE], datasets: [] }, options: {} } } });
    assert.equal(scripts(html), 3);
    assert.equal((html.match(/<script/gi) ?? []).length, 3);
    assert.ok(!bodyOf(html).includes(HOSTILE));
    assert.ok(html.includes('&#60;/script&#62;&#60;script&#62;window.__pwned=1'));
  });
  it('the page needs no network: CSP default-src none, no http(s) URL outside Chart.js comments', () => {
    const html = renderPage({ title: 't', body: '', charts: {} });
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
  });
});

describe('percentile curve from a stored histogram', () => {
  it('runs from the minimum to the maximum, x ascending, latency never decreasing, on the histogram\'s own percentiles', () => {
    const h = newLatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.recordValue(i * 1000); // 1..1000 ms
    const curve = percentileCurve(h);
    assert.equal(curve[0]!.x, 1);
    assert.equal(curve[0]!.y, h.minNonZeroValue / 1000);
    assert.equal(curve.at(-1)!.y, h.maxValue / 1000);
    assert.equal(curve.at(-1)!.x, 1000);
    const p90 = curve.find((p) => p.x === 10)!;
    const p99 = curve.find((p) => p.x === 100)!;
    assert.equal(p90.y, h.getValueAtPercentile(90) / 1000);
    assert.equal(p99.y, h.getValueAtPercentile(99) / 1000);
    assert.ok(Math.abs(p99.y - 990) < 2, `p99 ${p99.y}`);
    for (let i = 1; i < curve.length; i++) {
      assert.ok(curve[i]!.x > curve[i - 1]!.x || i === curve.length - 1, `x at ${i}`);
      assert.ok(curve[i]!.y >= curve[i - 1]!.y, `y at ${i}`);
    }
  });
  it('never rises above the maximum, also when every value falls in one bucket', () => {
    const h = newLatencyHistogram();
    for (let i = 0; i < 1000; i++) h.recordValue(42_000);
    const curve = percentileCurve(h);
    assert.ok(h.getValueAtPercentile(50) > h.maxValue, 'the bucket top passes the maximum');
    for (const point of curve) assert.equal(point.y, 42, `x ${point.x}`);
  });
  it('an empty histogram gives no curve', () => {
    assert.deepEqual(percentileCurve(newLatencyHistogram()), []);
  });
});

describe('API run report', () => {
  it('labels a local run as local everywhere: banner, title, every chart title', () => {
    const page = apiRunPage(local.summary);
    assert.match(page.title, /^\[LOCAL\]/);
    assert.match(page.body, /LOCAL STAGE: not AWS figures/);
    assert.doesNotMatch(page.body, /AWS STAGE/);
    for (const [id, spec] of Object.entries(page.charts as Record<string, ChartSpec>)) assert.match(JSON.stringify((spec.options['plugins'] as { title: unknown }).title), /local stage, not AWS/, id);
  });
  it('an AWS run says AWS and incomplete', () => {
    const page = apiRunPage(aws.summary);
    assert.match(page.body, /AWS STAGE/);
    assert.doesNotMatch(page.body, /LOCAL STAGE/);
    assert.match(page.body, /INCOMPLETE/);
    assert.match(page.body, /not given by the stage/);
  });
  it('per tier: latency (ms), success rate (%), percentile curve (log), status codes; one colour per backend in all of them', () => {
    const page = apiRunPage(local.summary);
    assert.deepEqual(Object.keys(page.charts), ['t0-latency', 't0-success', 't0-percentiles', 't0-status', 't1-latency', 't1-success', 't1-percentiles', 't1-status']);
    const c = page.charts as Record<string, ChartSpec>;
    const yTitle = (s: ChartSpec) => ((s.options['scales'] as Record<string, { title: { text: string } }>)['y']!.title.text);
    assert.equal(yTitle(c['t1-latency']!), 'latency (ms)');
    assert.deepEqual(c['t1-latency']!.data.labels, ['fastest', 'average', 'p50', 'p99']);
    assert.equal(yTitle(c['t1-success']!), 'success rate (%)');
    assert.equal((c['t1-percentiles']!.options['scales'] as Record<string, { type: string }>)['x']!.type, 'logarithmic');
    const sfn = local.summary.results.find((r) => r.tier === 'test2' && r.target === 'sfn')!;
    assert.equal(sfn.failed, true);
    assert.deepEqual(c['t1-success']!.data.labels, ['direct', 'sfn (FAILED)', 'lambda', 'apprunner']);
    assert.equal(c['t1-success']!.data.datasets[0]!['data'] instanceof Array && (c['t1-success']!.data.datasets[0]!['data'] as number[])[1], 0);
    for (const id of ['t1-latency', 't1-percentiles']) {
      for (const ds of c[id]!.data.datasets) assert.equal(ds['borderColor'], TARGET_COLORS[ds['label'] as keyof typeof TARGET_COLORS], `${id} ${String(ds['label'])}`);
    }
    assert.deepEqual((c['t1-success']!.data.datasets[0]!['backgroundColor'] as string[]), Object.values(TARGET_COLORS));
    const p99 = c['t1-latency']!.data.datasets.find((d) => d['label'] === 'lambda')!['data'] as number[];
    const lambda = local.summary.results.find((r) => r.tier === 'test2' && r.target === 'lambda')!;
    assert.deepEqual(p99, [lambda.latency!.fastestMs, lambda.latency!.avgMs, lambda.latency!.p50Ms, lambda.latency!.p99Ms]);
    const status = c['t1-status']!.data.datasets.map((d) => [d['label'], d['data']]);
    assert.deepEqual(
      status.find(([l]) => l === 'HTTP 503'),
      ['HTTP 503', [0, sfn.statusCounts['503'], 0, 0]],
    );
    assert.deepEqual(status.find(([l]) => l === 'no answer: timeout')![1], [0, sfn.clientErrors.timeout, 0, 0]);
  });
  it('settings and environment are shown, with hostile config text escaped', () => {
    const page = apiRunPage(local.summary);
    for (const text of ['closed loop', '30000 ms', 'lambdaMemoryMb', '0123456789abcdef', '2 × Test CPU', 'breeds in seeded shuffled rounds']) assert.ok(page.body.includes(text), text);
    assert.ok(!page.body.includes(HOSTILE));
    assert.ok(page.body.includes(escapeHtml(HOSTILE)));
  });
});

describe('fan-out run report', () => {
  it('per-hop chart, the 2-second line on the end-to-end chart, deliveries per task, the verdict', async () => {
    const run = await loadRun(fanoutDir);
    assert.equal(run.kind, 'fanout');
    if (run.kind !== 'fanout') return;
    assert.ok(run.deliveries && run.deliveries.length > 200);
    const page = fanoutRunPage(run.summary, run.deliveries);
    const c = page.charts as Record<string, ChartSpec>;
    assert.deepEqual(Object.keys(c).sort(), ['e2e', 'hops', 'tasks']);
    assert.deepEqual(c['e2e']!.behaviours!.threshold, { value: 2000, label: '2 s requirement' });
    const late = c['e2e']!.data.datasets[1]!['data'] as { y: number }[];
    assert.equal(late.length, run.summary.totals.late);
    assert.ok(late.every((p) => p.y > 2000));
    assert.deepEqual(c['tasks']!.data.labels, run.summary.tasks.map((t) => t.taskId));
    assert.deepEqual(c['tasks']!.data.datasets.find((d) => d['label'] === 'expected')!['data'], run.summary.tasks.map((t) => t.expected));
    assert.equal(run.summary.requirement.held, false);
    assert.match(page.body, /2-second requirement NOT HELD/);
    assert.match(page.body, /LOCAL STAGE: not AWS figures/);
    assert.match(page.body, /Clock caveats/);
  });
  it('builds the end-to-end chart of a long run (200 tasks x 720 changes) without overflowing the stack', async () => {
    const run = await loadRun(fanoutDir);
    if (run.kind !== 'fanout') throw new Error('fan-out expected');
    const many = Array.from({ length: 200 * 720 }, (_, i) => ({
      version: i, taskId: `t${i % 200}`, sentAt: 1_000_000 + i, outcome: 'applied', endToEndMs: i === 5 ? 2345 : 100, withinRequirement: i !== 5,
    }));
    const page = fanoutRunPage(run.summary, many);
    const e2e = (page.charts as Record<string, ChartSpec>)['e2e']!;
    assert.match(JSON.stringify(e2e.options), /slowest 2345 ms/);
    assert.deepEqual((e2e.data.datasets[1]!['data'] as { x: number; y: number }[]), [{ x: 0.005, y: 2345 }]);
  });
  it('without deliveries.csv the page says so instead of drawing an empty chart', async () => {
    const run = await loadRun(fanoutDir);
    if (run.kind !== 'fanout') throw new Error('fan-out expected');
    const page = fanoutRunPage(run.summary, null);
    assert.ok(!('e2e' in page.charts));
    assert.match(page.body, /No deliveries\.csv/);
  });
});

describe('history', () => {
  it('orders runs by start time (not folder name), links each point to its report or summary.json, lists the configuration', async () => {
    const stageDir = path.join(dir, 'local');
    // A folder name that sorts first although the run is the newest.
    const renamed = path.join(stageDir, '0-renamed');
    await rename(local.dir, renamed);
    try {
      await writeRunReport(older.dir);
      await mkdir(path.join(stageDir, 'broken'));
      await writeFile(path.join(stageDir, 'broken', 'summary.json'), '{ nope');
      const history = await loadHistory(stageDir);
      assert.deepEqual(history.runs.map((r) => r.summary.startedAt), [older.summary.startedAt, local.summary.startedAt, '2026-02-04T09:00:00.000Z']);
      assert.equal(history.skipped.length, 1);
      assert.match(history.skipped[0]!.reason, /not valid JSON/);
      const page = historyPage(history);
      const c = page.charts as Record<string, ChartSpec>;
      assert.deepEqual(Object.keys(c), ['h0-p50', 'h0-p99', 'h1-p50', 'h1-p99', 'fanout']);
      const hrefs = c['h0-p50']!.behaviours!.points!.map((p) => p.href);
      assert.deepEqual(hrefs, [`${encodeURIComponent(older.summary.runId)}/report.html`, '0-renamed/summary.json']);
      assert.match(c['h0-p99']!.behaviours!.points![0]!.lines.join('\n'), /closed loop[\s\S]*kit 0\.1\.0 @ 0123456789[\s\S]*lambdaMemoryMb=1024/);
      const direct = c['h1-p99']!.data.datasets.find((d) => d['label'] === 'direct')!['data'];
      assert.deepEqual(direct, [older, local].map((r) => r.summary.results.find((x) => x.tier === 'test2' && x.target === 'direct')!.latency!.p99Ms));
      assert.deepEqual(c['fanout']!.behaviours!.threshold, { value: 2000, label: '2 s requirement' });
      assert.match(page.body, /LOCAL STAGE/);
      assert.match(page.body, /skipped broken/);
      assert.ok(!page.body.includes(HOSTILE));
    } finally {
      await rm(path.join(stageDir, 'broken'), { recursive: true, force: true });
      await rename(renamed, local.dir);
    }
  });
  it('writeHistoryReport writes history.html; a missing folder is a clear error', async () => {
    const out = await writeHistoryReport(path.join(dir, 'aws'));
    assert.equal(out.runs, 1);
    assert.match(await readFile(out.file, 'utf8'), /AWS STAGE/);
    await assert.rejects(writeHistoryReport(path.join(dir, 'nowhere')), (e: unknown) => e instanceof ConfigError && /Cannot read results folder .*nowhere: ENOENT/.test((e as Error).message));
  });
});

describe('diff page', () => {
  it('latency change per backend with pale bars for changes within noise; success rate on its own chart', () => {
    const report = compareRuns(older.summary, local.summary, { resamples: 200, seed: 1 });
    const page = diffPage(report);
    const c = page.charts as Record<string, ChartSpec>;
    assert.deepEqual(Object.keys(c), ['d0-latency', 'd0-success', 'd1-latency', 'd1-success']);
    const direct = c['d1-latency']!.data.datasets.find((d) => d['label'] === 'direct')!;
    const row = report.rows.find((r) => r.tier === 'test2' && r.target === 'direct')!;
    assert.deepEqual(direct['data'], (['avgMs', 'p50Ms', 'p99Ms'] as const).map((m) => Math.round(row.metrics[m].change! * 10_000) / 100));
    const colours = direct['backgroundColor'] as string[];
    (['avgMs', 'p50Ms', 'p99Ms'] as const).forEach((m, i) => assert.equal(colours[i]!.startsWith('rgba('), row.metrics[m].withinNoise === true, m));
    assert.match(page.body, /~ noise|beyond noise/);
    assert.match(page.body, /LOCAL STAGE/);
  });
});

describe('loading runs', () => {
  it('refuses a missing folder, a fan-out summary of an unknown version, and a file that is not a summary', async () => {
    await assert.rejects(loadRun(path.join(dir, 'missing')), /Cannot read run .*missing: ENOENT/);
    const odd = path.join(dir, 'odd');
    await mkdir(odd, { recursive: true });
    await writeFile(path.join(odd, 'summary.json'), JSON.stringify({ kind: 'fanout', schemaVersion: 99 }));
    await assert.rejects(loadRun(odd), /fan-out schemaVersion 99/);
    await writeFile(path.join(odd, 'summary.json'), JSON.stringify({ hello: 1 }));
    await assert.rejects(loadRun(odd), /is not a runner summary\.json/);
  });
});
