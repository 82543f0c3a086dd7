import { textTable } from '../table.ts';
import type { DiffFormat } from '../cli/args.ts';
import { diffHtml } from '../report/write.ts';
import { DIFF_METRICS, type DiffMetric, type DiffReport, type MetricChange } from './compare.ts';

const LABELS: Record<DiffMetric, string> = { avgMs: 'avg', p50Ms: 'p50', p99Ms: 'p99', successRate: 'success' };

const value = (m: DiffMetric, v: number | null) =>
  v === null ? '-' : m === 'successRate' ? `${(v * 100).toFixed(1)}%` : `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ms`;

function change(m: DiffMetric, c: MetricChange): string {
  if (c.change === null) return '-';
  const sign = c.change > 0 ? '+' : '';
  const text = m === 'successRate' ? `${sign}${(c.change * 100).toFixed(1)} pt` : `${sign}${(c.change * 100).toFixed(1)}%`;
  return c.withinNoise ? `${text} ~ noise` : text;
}

/** `client-bound in A`, `bad body in B: 12`, ... (empty when nothing to say). */
function notes(r: DiffReport['rows'][number]): string {
  const out: string[] = [];
  const bound = [r.clientBound?.a ? 'A' : '', r.clientBound?.b ? 'B' : ''].filter(Boolean);
  if (bound.length > 0) out.push(`client-bound in ${bound.join('+')}`);
  if (r.badBody?.a) out.push(`bad body in A: ${r.badBody.a}`);
  if (r.badBody?.b) out.push(`bad body in B: ${r.badBody.b}`);
  return out.join(', ');
}

function rows(report: DiffReport): string[][] {
  return report.rows.map((r) => [
    r.tier,
    (r.only ? `${r.target} (only in ${r.only.toUpperCase()})` : r.target) + (notes(r) ? ` [${notes(r)}]` : ''),
    ...DIFF_METRICS.flatMap((m) => [`${value(m, r.metrics[m].a)} → ${value(m, r.metrics[m].b)}`, change(m, r.metrics[m])]),
    costCell(r.cost),
  ]);
}

/** `$3.56 → $3.61 (+1.4%)` per million requests; `est.` when either side is an estimate. */
function costCell(c: DiffReport['rows'][number]['cost']): string {
  if (!c || (c.a === null && c.b === null)) return '-';
  const usd = (v: number | null) => (v === null ? '-' : `$${v >= 10 ? v.toFixed(2) : v.toPrecision(3)}`);
  const pct = c.change === null ? '' : ` (${c.change > 0 ? '+' : ''}${(c.change * 100).toFixed(1)}%)`;
  return `${usd(c.a)} → ${usd(c.b)}${pct}${c.estimate ? ' est.' : ''}`;
}

const HEADER = ['tier', 'target', ...DIFF_METRICS.flatMap((m) => [`${LABELS[m]} A → B`, 'change']), 'cost per 1M A → B'];

function heading(report: DiffReport): string {
  const flag = (x: { complete: boolean }) => (x.complete ? '' : ' (incomplete)');
  return `A: ${report.a.stage}/${report.a.runId}${flag(report.a)}\nB: ${report.b.stage}/${report.b.runId}${flag(report.b)}`;
}

function boundNote(report: DiffReport): string[] {
  const bound = report.rows.filter((r) => r.clientBound?.a || r.clientBound?.b);
  if (bound.length === 0) return [];
  return [
    '',
    'client-bound: the load generator, not the target, was the limit; latency changes on these rows measure the client:',
    ...bound.map((r) => `  ${r.tier} ${r.target}: ${[r.clientBound!.a ? `A: ${r.clientBound!.a}` : '', r.clientBound!.b ? `B: ${r.clientBound!.b}` : ''].filter(Boolean).join('; ')}`),
  ];
}

/** Diff output per format, each fed by the same DiffReport (`html`: one self-contained page with charts, runner/report/). */
export const DIFF_FORMATTERS: Record<DiffFormat, (report: DiffReport) => string> = {
  text: (report) => [heading(report), '', textTable(HEADER, rows(report)), '', `~ noise: ${report.method}`, ...boundNote(report)].join('\n'),
  md: (report) => {
    const esc = (s: string) => s.replace(/\|/g, '\\|');
    const line = (cells: string[]) => `| ${cells.map(esc).join(' | ')} |`;
    return [
      `**A** \`${report.a.stage}/${report.a.runId}\`${report.a.complete ? '' : ' (incomplete)'} → **B** \`${report.b.stage}/${report.b.runId}\`${report.b.complete ? '' : ' (incomplete)'}`,
      '',
      line(HEADER),
      line(HEADER.map(() => '---')),
      ...rows(report).map(line),
      '',
      `_~ noise_: ${report.method} (${report.resamples} resamples)`,
      ...boundNote(report),
    ].join('\n');
  },
  json: (report) => JSON.stringify(report, null, 2),
  html: (report) => diffHtml(report),
};
