import { DIFF_METRICS, type DiffMetric, type DiffReport, type DiffRow, type MetricChange } from '../diff/compare.ts';
import { baseOptions, categoryAxis, formatMs, linearAxis, round, targetColor, withAlpha, type ChartSpec } from './charts.ts';
import { escapeHtml, type PageInput } from './html.ts';
import { chartFigure, footer, htmlTable, stageBanner } from './page-parts.ts';

const LATENCY = ['avgMs', 'p50Ms', 'p99Ms'] as const;
const LABELS: Record<DiffMetric, string> = { avgMs: 'average', p50Ms: 'p50', p99Ms: 'p99', successRate: 'success rate' };

const pct = (v: number) => `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
const pts = (v: number) => `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)} pt`;

function valueText(m: DiffMetric, v: number | null): string {
  if (v === null) return '–';
  return m === 'successRate' ? `${(v * 100).toFixed(1)}%` : `${formatMs(v)} ms`;
}

function changeNote(m: DiffMetric, c: MetricChange): string {
  const f = m === 'successRate' ? pts : pct;
  const interval = c.interval ? `, 95% interval ${f(c.interval[0])} to ${f(c.interval[1])}` : '';
  const noise = c.withinNoise === null ? '' : c.withinNoise ? ' (within noise)' : ' (beyond noise)';
  return `A ${valueText(m, c.a)} → B ${valueText(m, c.b)}${interval}${noise}`;
}

function latencyChangeChart(tier: string, rows: readonly DiffRow[], stageNote: string): ChartSpec {
  const both = rows.filter((r) => r.only === null);
  return {
    type: 'bar',
    data: {
      labels: LATENCY.map((m) => LABELS[m]),
      datasets: both.map((r, i) => ({
        label: r.target,
        data: LATENCY.map((m) => (r.metrics[m].change === null ? null : round(r.metrics[m].change! * 100, 2))),
        backgroundColor: LATENCY.map((m) => (r.metrics[m].withinNoise ? withAlpha(targetColor(r.target, i), 0.3) : targetColor(r.target, i))),
        borderColor: targetColor(r.target, i),
        borderWidth: 1.5,
      })),
    },
    options: baseOptions(
      { title: `${tier}: latency change B vs A (${stageNote})`, subtitle: 'relative change (B - A) / A; pale bars are within noise (95% bootstrap interval contains 0); below 0 = B faster' },
      { x: categoryAxis('statistic'), y: linearAxis('change (%)', { beginAtZero: true }) },
    ),
    behaviours: { unit: '%', notes: both.map((r) => LATENCY.map((m) => changeNote(m, r.metrics[m]))), legendFromBorder: true },
  };
}

function successChart(tier: string, rows: readonly DiffRow[], stageNote: string): ChartSpec {
  const both = rows.filter((r) => r.only === null);
  const rate = (v: number | null) => (v === null ? null : round(v * 100, 2));
  return {
    type: 'bar',
    data: {
      labels: both.map((r) => r.target),
      datasets: [
        { label: 'A', data: both.map((r) => rate(r.metrics.successRate.a)), backgroundColor: both.map((r, i) => withAlpha(targetColor(r.target, i), 0.3)), borderColor: both.map((r, i) => targetColor(r.target, i)), borderWidth: 1.5 },
        { label: 'B', data: both.map((r) => rate(r.metrics.successRate.b)), backgroundColor: both.map((r, i) => targetColor(r.target, i)) },
      ],
    },
    options: baseOptions(
      { title: `${tier}: success rate, A and B (${stageNote})`, subtitle: 'per backend: pale bar A, solid bar B', legend: false },
      { x: categoryAxis('backend'), y: linearAxis('success rate (%)', { min: 0, max: 100 }) },
    ),
    behaviours: { unit: '%', notes: [both.map((r) => changeNote('successRate', r.metrics.successRate)), both.map((r) => changeNote('successRate', r.metrics.successRate))] },
  };
}

/** `node runner diff A B --html FILE`: the comparison as charts plus the full table. */
export function diffPage(report: DiffReport): PageInput {
  const stages = [...new Set([report.a.stage, report.b.stage])];
  const stage = stages.length === 1 ? stages[0]! : 'mixed';
  const stageNote = stage === 'local' ? 'local stage, not AWS' : stage === 'mixed' ? `${report.a.stage} vs ${report.b.stage}` : `${stage} stage`;
  const tiers = [...new Set(report.rows.map((r) => r.tier))];
  const charts: Record<string, ChartSpec> = {};
  const sections = tiers.map((tier, t) => {
    const rows = report.rows.filter((r) => r.tier === tier);
    charts[`d${t}-latency`] = latencyChangeChart(tier, rows, stageNote);
    charts[`d${t}-success`] = successChart(tier, rows, stageNote);
    return `<section><h2>${escapeHtml(tier)}</h2><div class="grid">${chartFigure(`d${t}-latency`, `${tier} latency change`)}${chartFigure(`d${t}-success`, `${tier} success rate`)}</div></section>`;
  });
  const tableRows = report.rows.flatMap((r) =>
    DIFF_METRICS.map((m) => {
      const c = r.metrics[m];
      const change = c.change === null ? '–' : m === 'successRate' ? pts(c.change) : pct(c.change);
      return [
        r.tier,
        { html: `<span class="swatch" style="background:${targetColor(r.target)}"></span>${escapeHtml(r.target)}${r.only ? ` (only in ${r.only.toUpperCase()})` : ''}` },
        LABELS[m],
        valueText(m, c.a),
        valueText(m, c.b),
        change,
        c.interval ? `${(m === 'successRate' ? pts : pct)(c.interval[0])} to ${(m === 'successRate' ? pts : pct)(c.interval[1])}` : '–',
        { html: c.withinNoise === null ? '–' : c.withinNoise ? '~ noise' : '<strong>beyond noise</strong>' },
      ];
    }),
  );
  const flag = (x: DiffReport['a']) => (x.complete ? '' : ' <span class="bad">(incomplete)</span>');
  const mixed = stage === 'mixed' ? '<div class="stage stage-local"><strong>Different stages:</strong> A and B were measured on different stages; local figures are not AWS figures.</div>' : stageBanner(stage, null);
  const body = `<header>
<h1>Run comparison</h1>
${mixed}
<p class="meta"><strong>A</strong> ${escapeHtml(`${report.a.stage}/${report.a.runId}`)}${flag(report.a)} → <strong>B</strong> ${escapeHtml(`${report.b.stage}/${report.b.runId}`)}${flag(report.b)}</p>
</header>
${sections.join('\n')}
<section><h2>All figures</h2>
${htmlTable(['tier', 'backend', 'metric', 'A', 'B', 'change', '95% interval', 'noise'], tableRows, 3)}
<p class="note">${escapeHtml(report.method)} (${report.resamples} resamples)</p>
</section>
${footer('node runner diff A B --html FILE')}`;
  return { title: `${stage === 'local' ? '[LOCAL] ' : ''}compare ${report.a.runId} → ${report.b.runId}`, body, charts };
}
