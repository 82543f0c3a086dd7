import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ChartSpec } from './charts.ts';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON for a `<script type="application/json">` block. `<`, `>`, `&` and the JavaScript line
 * separators are written as \u escapes, so no data (a run name holding `</script>` or `<!--`) can
 * end the block early; JSON.parse reads the escapes back as the same characters.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Inline script text: `</script` cannot appear in it, or the browser would end the element there. */
function inlineScript(source: string, name: string): string {
  if (/<\/script/i.test(source)) throw new Error(`${name} contains "</script" and cannot be inlined.`);
  return source;
}

let cached: { chartJs: string; client: string; css: string } | undefined;

/** Chart.js (UMD build, from node_modules) and the report's own client script and styles, read once. */
function assets(): { chartJs: string; client: string; css: string } {
  if (!cached) {
    const require = createRequire(import.meta.url);
    const chartDir = path.dirname(require.resolve('chart.js'));
    const here = new URL('./client/', import.meta.url);
    cached = {
      chartJs: inlineScript(readFileSync(path.join(chartDir, 'chart.umd.js'), 'utf8'), 'chart.umd.js'),
      client: inlineScript(readFileSync(new URL('charts.js', here), 'utf8'), 'charts.js'),
      css: readFileSync(new URL('report.css', here), 'utf8'),
    };
  }
  return cached;
}

export interface PageInput {
  /** Plain text; escaped here. */
  title: string;
  /** Already-escaped HTML of the page body (build it with escapeHtml). */
  body: string;
  /** Chart specs by canvas id, read by client/charts.js. */
  charts: Record<string, ChartSpec>;
}

/** One self-contained page: styles, Chart.js, the chart specs as JSON and the client script, all inline. */
export function renderPage(input: PageInput): string {
  const { chartJs, client, css } = assets();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(input.title)}</title>
<style>
${css}</style>
</head>
<body>
${input.body}
<script type="application/json" id="report-data">${jsonForScript({ charts: input.charts })}</script>
<script>
${chartJs}
</script>
<script>
${client}
</script>
</body>
</html>
`;
}
