import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { compareRuns } from '../../runner/diff/compare.ts';
import { writeDiffReport, writeHistoryReport, writeRunReport } from '../../runner/report/write.ts';
import { CHROMIUM, inspectReport, launch, type PageCheck } from './browser.ts';
import { HOSTILE, writeApiRun, writeFanoutRun } from './fixtures.ts';

/**
 * The generated reports in a real browser (Debian's chromium through playwright-core): every chart
 * drew, nothing failed, nothing was fetched beyond the file itself. Screenshots go to
 * test-output/report/ (gitignored) for a person to look at.
 */
const SHOTS = fileURLToPath(new URL('../../test-output/report/', import.meta.url));
const missing = CHROMIUM.missing;

let dir: string;
let browser: Browser | undefined;
const files: Record<'api' | 'apiAws' | 'fanout' | 'history' | 'diff', string> = { api: '', apiAws: '', fanout: '', history: '', diff: '' };

before(async () => {
  if (missing) return;
  dir = await mkdtemp(path.join(tmpdir(), 'report-browser-'));
  await mkdir(SHOTS, { recursive: true });
  const a = await writeApiRun({ resultsDir: dir, startedAt: new Date(Date.UTC(2026, 2, 1, 10)) });
  const b = await writeApiRun({ resultsDir: dir, startedAt: new Date(Date.UTC(2026, 2, 2, 10)), failSfn: true, slowdown: 1.25, seed: 30 });
  await writeApiRun({ resultsDir: dir, startedAt: new Date(Date.UTC(2026, 2, 3, 10)), slowdown: 0.9, seed: 60 });
  const awsRun = await writeApiRun({ resultsDir: dir, stage: 'aws', startedAt: new Date(Date.UTC(2026, 2, 4, 10)), seed: 90, config: { lambdaMemoryMb: 1769, apprunnerCpu: '1 vCPU' } });
  const f = await writeFanoutRun(dir, new Date(Date.UTC(2026, 2, 5, 10)), { late: true });
  files.api = await writeRunReport(b.dir);
  await writeRunReport(a.dir);
  files.apiAws = await writeRunReport(awsRun.dir);
  files.fanout = await writeRunReport(f.dir);
  files.history = (await writeHistoryReport(path.join(dir, 'local'))).file;
  files.diff = path.join(dir, 'diff.html');
  await writeDiffReport(compareRuns(a.summary, b.summary, { resamples: 200, seed: 1 }), files.diff);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const open = async (name: keyof typeof files): Promise<PageCheck> => {
  const check = await inspectReport(browser!, files[name], path.join(SHOTS, `${name}.png`));
  process.stdout.write(`screenshot: ${path.join(SHOTS, `${name}.png`)}\n`);
  return check;
};

/** Every canvas holds a Chart.js chart with data, and its pixels show axes, text and coloured marks. */
function assertAllChartsDrawn(check: PageCheck, expected: number): void {
  assert.deepEqual(check.pageErrors, []);
  assert.deepEqual(check.consoleErrors, []);
  assert.equal(check.canvases, expected);
  assert.equal(check.chartsDrawnAttr, String(expected));
  for (const chart of check.charts) {
    assert.notEqual(chart.type, 'none', `${chart.id}: no Chart.js instance`);
    assert.ok(chart.datasets > 0 && chart.points > 0, `${chart.id}: no data`);
    assert.ok(chart.width > 200 && chart.height > 200, `${chart.id}: ${chart.width}x${chart.height}`);
    const sampled = Math.ceil((chart.width * chart.height) / 7);
    assert.ok(chart.paintedPixels > sampled * 0.02, `${chart.id}: only ${chart.paintedPixels} of ${sampled} sampled pixels painted`);
    assert.ok(chart.colours >= 6, `${chart.id}: ${chart.colours} colours`);
  }
  const foreign = check.requests.filter((u) => !u.startsWith('file://'));
  assert.deepEqual(foreign, [], 'no network');
  assert.equal(check.requests.length, 1, `only the page itself is loaded: ${check.requests.join(', ')}`);
  assert.equal(check.pwned, false);
}

describe('HTML reports in headless Chromium', () => {
  CHROMIUM.it('API run report (local): 4 charts per tier drawn, labelled local, hostile config shown as text', async () => {
    const check = await open('api');
    assertAllChartsDrawn(check, 8);
    assert.match(check.title, /^\[LOCAL\]/);
    assert.match(check.text, /LOCAL STAGE: not AWS figures/);
    assert.ok(check.text.includes(HOSTILE), 'hostile string rendered as text');
    assert.match(check.text, /sfn FAILED/);
  });
  CHROMIUM.it('API run report (aws stage)', async () => {
    const check = await open('apiAws');
    assertAllChartsDrawn(check, 8);
    assert.match(check.text, /AWS STAGE/);
    assert.doesNotMatch(check.text, /LOCAL STAGE/);
  });
  CHROMIUM.it('fan-out run report: hops, end to end with the 2 s line, deliveries per task', async () => {
    const check = await open('fanout');
    assertAllChartsDrawn(check, 3);
    assert.match(check.text, /2-second requirement NOT HELD/);
  });
  CHROMIUM.it('history: p50 and p99 per tier, and a point opens its run report', async () => {
    const check = await open('history');
    assertAllChartsDrawn(check, 5);
    const context = await browser!.newContext({ viewport: { width: 1360, height: 900 } });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(files.history).href);
      const canvas = page.locator('#h0-p50');
      await canvas.scrollIntoViewIfNeeded();
      const point = (await page.evaluate(
        "(() => { const c = Chart.getChart(document.getElementById('h0-p50')); const p = c.getDatasetMeta(0).data[1]; return { x: p.x, y: p.y }; })()",
      )) as { x: number; y: number };
      await Promise.all([page.waitForURL(/report\.html$/, { timeout: 10_000 }), canvas.click({ position: point })]);
      assert.match(decodeURIComponent(page.url()), /20260302T100000Z-test1\+test2\/report\.html$/);
    } finally {
      await context.close();
    }
  });
  CHROMIUM.it('diff page', async () => {
    const check = await open('diff');
    assertAllChartsDrawn(check, 4);
    assert.match(check.text, /Run comparison/);
  });
  CHROMIUM.it('a broken chart spec is caught: each check fails on a page broken in its own way, and passes a good one', async () => {
    // Guards the checks themselves: one page per check, each broken only where that check looks,
    // so replacing any check (Chart.js instance, data, painted pixels, colours, errors) by a constant fails here.
    const chartJs = await readFile(path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js'), 'utf8');
    const page = (script: string) =>
      `<!doctype html><title>x</title><canvas id="c" width="400" height="300"></canvas><script>${chartJs}</script><script>
        const data = { labels: ['a', 'b', 'c', 'd'], datasets: [{ label: 'p50', data: [3, 1, 4, 1], borderColor: '#c0392b', backgroundColor: '#2980b9' }] };
        const make = (d) => new Chart(document.getElementById('c'), { type: 'bar', data: d, options: { animation: false, responsive: false } });
        ${script}
        document.documentElement.setAttribute('data-charts-drawn', '1');</script>`;
    const cases: [string, string, RegExp | undefined][] = [
      ['good', 'make(data);', undefined],
      ['no-chart', "const g = document.getElementById('c').getContext('2d'); for (let i = 0; i < 400; i += 10) { g.fillStyle = 'hsl(' + i + ',80%,50%)'; g.fillRect(i, 0, 10, 300); }", /no Chart\.js instance/],
      ['no-data', "make({ labels: [], datasets: [{ label: 'p50', data: [] }] });", /no data/],
      ['blank', 'make(data).clear();', /sampled pixels painted/],
      ['one-colour', "make(data); const g = document.getElementById('c').getContext('2d'); g.fillStyle = '#336699'; g.fillRect(0, 0, 400, 300);", /1 colours/],
      ['console-error', 'make(data); console.error("boom");', /boom/],
    ];
    for (const [name, script, failure] of cases) {
      const file = path.join(dir, `${name}.html`);
      await writeFile(file, page(script));
      const check = await inspectReport(browser!, file, path.join(SHOTS, `check-${name}.png`));
      if (failure === undefined) assertAllChartsDrawn(check, 1);
      else assert.throws(() => assertAllChartsDrawn(check, 1), failure, name);
    }
  });
});
