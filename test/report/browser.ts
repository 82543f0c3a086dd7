import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { toolGate } from '../tools.ts';

/**
 * Debian's chromium (`apt-get install -y chromium`), found as `.ci/run` finds it (scripts/find-tool.ts:
 * CHROMIUM_PATH, else `chromium` / `chromium-browser` on PATH); playwright cannot download browsers here.
 */
export const CHROMIUM = toolGate('chromium');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export async function launch(): Promise<Browser> {
  if (CHROMIUM.path === undefined) throw new Error(CHROMIUM.missing);
  return chromium.launch({ executablePath: CHROMIUM.path, args: CHROMIUM_ARGS, timeout: 30_000 });
}

export interface ChartCheck {
  id: string;
  type: string;
  width: number;
  height: number;
  /** Pixels (sampled) that are not transparent / not the background. */
  paintedPixels: number;
  /** Distinct colours among the sampled pixels: a chart has axes, text and coloured marks. */
  colours: number;
  datasets: number;
  points: number;
}

export interface PageCheck {
  title: string;
  canvases: number;
  chartsDrawnAttr: string | null;
  charts: ChartCheck[];
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  /** Hostile-data marker: set only if injected script ran. */
  pwned: boolean;
  text: string;
}

/**
 * Runs in the page (plain JavaScript: the kit's tsconfig has no DOM types). For every canvas: the
 * Chart.js instance on it, its datasets, and a sample of its pixels (every 7th).
 */
const INSPECT_PAGE = `(() => {
  const canvases = [...document.querySelectorAll('canvas')];
  const charts = canvases.map((canvas) => {
    const chart = window.Chart ? window.Chart.getChart(canvas) : undefined;
    const { width, height } = canvas;
    const pixels = width > 0 && height > 0 ? canvas.getContext('2d').getImageData(0, 0, width, height).data : new Uint8ClampedArray();
    let painted = 0;
    const colours = new Set();
    for (let i = 0; i < pixels.length; i += 4 * 7) {
      if (pixels[i + 3] > 0) {
        painted++;
        colours.add((pixels[i] >> 4) * 256 + (pixels[i + 1] >> 4) * 16 + (pixels[i + 2] >> 4));
      }
    }
    return {
      id: canvas.id,
      type: chart ? chart.config.type : 'none',
      width,
      height,
      paintedPixels: painted,
      colours: colours.size,
      datasets: chart ? chart.data.datasets.length : 0,
      points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.filter((v) => v !== null).length, 0) : 0,
    };
  });
  return {
    title: document.title,
    canvases: canvases.length,
    chartsDrawnAttr: document.documentElement.getAttribute('data-charts-drawn'),
    charts,
    pwned: window.__pwned === 1,
    text: document.body.innerText,
  };
})()`;

/** Opens a report file, waits for its charts, inspects every canvas, saves a full-page screenshot. */
export async function inspectReport(browser: Browser, file: string, screenshot: string): Promise<PageCheck> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 30_000 });
    // On a timeout the page is inspected as it is: the caller asserts on chartsDrawnAttr and the errors.
    await page.waitForFunction("document.documentElement.hasAttribute('data-charts-drawn')", null, { timeout: 15_000 }).catch(() => {});
    const result = (await page.evaluate(INSPECT_PAGE)) as Omit<PageCheck, 'consoleErrors' | 'pageErrors' | 'requests'>;
    await page.screenshot({ path: screenshot, fullPage: true });
    return { ...result, consoleErrors, pageErrors, requests };
  } finally {
    await context.close();
  }
}
