import type { FanoutSummary } from '../fanout/files.ts';
import { HOP_NAMES, type HopName } from '../fanout/report.ts';
import { baseOptions, categoryAxis, formatMs, linearAxis, logAxis, round, type ChartSpec } from './charts.ts';
import { escapeHtml, type PageInput } from './html.ts';
import type { DeliveryPoint } from './load.ts';
import { chartFigure, definitionList, footer, htmlTable, provenanceEntries, stageBanner } from './page-parts.ts';

export const HOP_LABELS: Record<HopName, string> = {
  appsync: 'AppSync mutation (round trip)',
  stream: 'write → SNS publish (stream + processor)',
  sns: 'SNS → SQS enqueue',
  sqs: 'SQS enqueue → first receive',
  consume: 'receive → applied (task)',
  endToEnd: 'end to end (write → applied)',
};
const HOP_SHORT: Record<HopName, string> = { appsync: 'AppSync', stream: 'stream', sns: 'SNS', sqs: 'SQS', consume: 'consume', endToEnd: 'end to end' };
const STAT_COLORS = { p50: '#0072B2', p90: '#56B4E9', p99: '#E69F00', max: '#D55E00' } as const;
const OUTCOME_COLORS = { applied: '#009E73', stale: '#56B4E9', duplicate: '#999999', missing: '#D55E00' } as const;

/** JSON turns the NaN of an empty hop into null. */
const num = (v: number | null | undefined) => (v === null || v === undefined || Number.isNaN(v) ? null : v);

/** 1, 2, 5 x 10^n at or above the value: a log axis ending on a labelled tick. */
function niceLogMax(value: number): number {
  const decade = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((m) => m * decade).find((v) => v >= value) ?? 10 * decade);
}

function hopChart(summary: FanoutSummary, stageNote: string): ChartSpec {
  const hops = HOP_NAMES.filter((h) => summary.hops[h] !== undefined);
  const values = hops.flatMap((h) => (['p50', 'p90', 'p99', 'max'] as const).map((stat) => num(summary.hops[h][stat]))).filter((v): v is number => v !== null);
  // A log axis keeps p50 readable next to a long max; clock skew can make a hop 0 or negative, which only a linear axis shows.
  const log = values.length > 0 && Math.min(...values) > 0;
  const threshold = summary.requirement.thresholdMs;
  return {
    type: 'bar',
    data: {
      labels: hops.map((h) => HOP_SHORT[h]),
      datasets: (['p50', 'p90', 'p99', 'max'] as const).map((stat) => ({
        label: stat,
        data: hops.map((h) => num(summary.hops[h][stat])),
        backgroundColor: STAT_COLORS[stat],
      })),
    },
    options: baseOptions(
      { title: `Latency per hop (${stageNote})`, subtitle: 'each hop timed by the clocks of the services on either side (see the clock caveats)' },
      { x: categoryAxis('hop'), y: log ? logAxis('latency (ms, log scale)', { max: niceLogMax(Math.max(threshold * 1.2, ...values)) }) : linearAxis('latency (ms)') },
    ),
    behaviours: { unit: ' ms', ...(log ? { threshold: { value: threshold, label: `${threshold / 1000} s requirement (end to end)` } } : {}) },
  };
}

/** Math.min/max over a long list: spreading 100,000+ values into Math.max overflows the call stack. */
function extreme(values: readonly number[], pick: (a: number, b: number) => number, start: number): number {
  return values.reduce((a, b) => pick(a, b), start);
}

function endToEndChart(summary: FanoutSummary, deliveries: readonly DeliveryPoint[], stageNote: string): ChartSpec {
  const threshold = summary.requirement.thresholdMs;
  const t0 = extreme(deliveries.map((d) => d.sentAt), Math.min, Number.POSITIVE_INFINITY);
  const delivered = deliveries.filter((d) => d.endToEndMs !== null);
  const point = (d: DeliveryPoint) => ({ x: round((d.sentAt - t0) / 1000, 3), y: d.endToEndMs });
  const slowest = delivered.length ? extreme(delivered.map((d) => d.endToEndMs!), Math.max, Number.NEGATIVE_INFINITY) : null;
  const max = Math.max(threshold, slowest ?? threshold);
  return {
    type: 'scatter',
    data: {
      datasets: [
        { label: `within ${threshold / 1000} s`, data: delivered.filter((d) => d.withinRequirement).map(point), backgroundColor: 'rgba(0, 114, 178, 0.55)', pointRadius: 2.5 },
        { label: `over ${threshold / 1000} s`, data: delivered.filter((d) => !d.withinRequirement).map(point), backgroundColor: '#D55E00', pointRadius: 4 },
      ],
    },
    options: baseOptions(
      {
        title: `End to end per delivery vs the ${threshold / 1000}-second requirement (${stageNote})`,
        subtitle: `one point per (change, task): ${delivered.length.toLocaleString('en-US')} deliveries, ${deliveries.length - delivered.length} missing; slowest ${formatMs(slowest)} ms`,
      },
      { x: linearAxis('time since the first mutation (s)'), y: linearAxis('write → applied (ms)', { max: Math.ceil((max * 1.08) / 100) * 100 }) },
    ),
    behaviours: { threshold: { value: threshold, label: `${threshold / 1000} s requirement` }, unit: ' ms' },
  };
}

/** Tasks in id order (t001, t002, ..., t010), as people look for them. */
function sortedTasks(summary: FanoutSummary): FanoutSummary['tasks'] {
  return [...summary.tasks].sort((a, b) => a.taskId.localeCompare(b.taskId, 'en', { numeric: true }));
}

function tasksChart(summary: FanoutSummary, stageNote: string): ChartSpec {
  const tasks = sortedTasks(summary);
  return {
    type: 'bar',
    data: {
      labels: tasks.map((t) => t.taskId),
      datasets: [
        ...(['applied', 'stale', 'duplicate', 'missing'] as const).map((k) => ({
          label: k === 'missing' ? 'missing (expected, never applied)' : k,
          data: tasks.map((t) => t[k]),
          backgroundColor: OUTCOME_COLORS[k],
          stack: 'deliveries',
        })),
        {
          type: 'line',
          label: 'expected',
          data: tasks.map((t) => t.expected),
          borderColor: '#000000',
          backgroundColor: '#000000',
          showLine: false,
          pointStyle: 'line',
          pointRadius: 10,
          pointBorderWidth: 3,
        },
      ],
    },
    options: baseOptions(
      { title: `Deliveries per task (${stageNote})`, subtitle: 'applied, stale (older version) and duplicate deliveries, missing ones, against the changes each task was present for' },
      { x: categoryAxis('task', { stacked: true }), y: linearAxis('changes', { stacked: true }) },
    ),
    behaviours: { unit: '' },
  };
}

/** The HTML report of one fan-out run, from its summary.json and deliveries.csv. */
export function fanoutRunPage(summary: FanoutSummary, deliveries: readonly DeliveryPoint[] | null): PageInput {
  const stageNote = summary.stage === 'local' ? 'local stage, not AWS' : `${summary.stage} stage`;
  const charts: Record<string, ChartSpec> = { hops: hopChart(summary, stageNote), tasks: tasksChart(summary, stageNote) };
  const haveDeliveries = deliveries !== null && deliveries.length > 0;
  if (haveDeliveries) charts['e2e'] = endToEndChart(summary, deliveries, stageNote);
  const req = summary.requirement;
  const t = summary.totals;
  const hopRows = HOP_NAMES.filter((h) => summary.hops[h] !== undefined).map((h) => {
    const s = summary.hops[h];
    return [HOP_LABELS[h], s.count, formatMs(num(s.p50)), formatMs(num(s.p90)), formatMs(num(s.p99)), formatMs(num(s.max)), formatMs(num(s.avg))];
  });
  const taskRows = sortedTasks(summary).map((k) => [
    k.taskId,
    k.expected,
    k.delivered,
    k.applied,
    k.stale,
    k.duplicate,
    { html: k.missing > 0 ? `<strong class="bad">${k.missing}</strong>` : '0' },
    { html: k.lateDeliveries > 0 ? `<strong class="bad">${k.lateDeliveries}</strong>` : '0' },
    { html: k.dlqMessages > 0 ? `<strong class="bad">${k.dlqMessages}</strong>` : '0' },
    formatMs(num(k.endToEndMaxMs)),
  ]);
  const m = summary.mutations;
  const body = `<header>
<h1>Fan-out benchmark <span class="muted">${escapeHtml(summary.runId)}</span></h1>
${stageBanner(summary.stage, summary.provenance, summary.stage === 'local' ? 'Every service of the fan-out path runs on loopback.' : undefined)}
<p class="meta">Scenario <strong>${escapeHtml(summary.scenario)}</strong> · ${escapeHtml(summary.startedAt)} to ${escapeHtml(summary.finishedAt ?? '–')} (UTC) · <span class="${summary.complete ? 'good' : 'bad'}">${summary.complete ? 'complete' : 'INCOMPLETE'}</span></p>
<div class="verdict ${req.held ? 'verdict-ok' : 'verdict-bad'}"><strong>${req.thresholdMs / 1000}-second requirement ${req.held ? 'HELD' : 'NOT HELD'}</strong>: ${escapeHtml(req.explanation)}.</div>
<p class="meta">Mutations: ${m.ok} of ${m.sent} succeeded${m.failed ? ` (<span class="bad">${m.failed} failed</span>)` : ''} · deliveries ${t.delivered.toLocaleString('en-US')} of ${t.expected.toLocaleString('en-US')} expected · ${t.missing} missing · ${t.late} over ${req.thresholdMs} ms · ${t.dlqMessages} in DLQs</p>
${m.errors.length ? `<ul class="failures">${m.errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul>` : ''}
</header>
<section><h2>Hops</h2>
<div class="grid">
${chartFigure('hops', 'latency per hop')}
${haveDeliveries ? chartFigure('e2e', 'end to end latency per delivery against the 2 second requirement') : `<p class="bad">No deliveries.csv (or no rows) in this run folder: the per-delivery chart is not drawn.</p>`}
</div>
${htmlTable(['hop', 'count', 'p50', 'p90', 'p99', 'max', 'avg'], hopRows)}
<p class="note">Latencies in ms. ${escapeHtml(HOP_LABELS.endToEnd)} is the figure the ${req.thresholdMs / 1000}-second requirement applies to.</p>
</section>
<section><h2>Tasks</h2>
${chartFigure('tasks', 'deliveries per task', true, 340)}
${htmlTable(['task', 'expected', 'delivered', 'applied', 'stale', 'duplicate', 'missing', `over ${req.thresholdMs} ms`, 'in DLQ', 'max end to end (ms)'], taskRows)}
</section>
${faultSection(summary)}
<section id="settings"><h2>Settings and environment</h2>
${definitionList([['stage', summary.stage === 'local' ? 'local (not AWS)' : summary.stage], ['run id', summary.runId], ['scenario', summary.scenario], ...Object.entries(summary.settings ?? {}), ...provenanceEntries(summary.provenance), ['schema version', summary.schemaVersion]])}
<h3>Clock caveats</h3>
<ul>${(summary.clockCaveats ?? []).map((c) => `<li>${escapeHtml(c)}</li>`).join('')}</ul>
</section>
${footer(`node runner report ${summary.stage}/${summary.runId}`)}`;
  return { title: `${summary.stage === 'local' ? '[LOCAL] ' : `[${String(summary.stage).toUpperCase()}] `}${summary.runId}: fan-out benchmark`, body, charts };
}

/** Faults injected by the run (--fault), DLQ contents, collection and recovery notes; empty when none. */
function faultSection(summary: FanoutSummary): string {
  const parts: string[] = [];
  if (summary.recovered) parts.push(`<p class="bad">Rebuilt from journal.jsonl after the runner died: figures cover what was journaled before.</p>`);
  if (summary.faults?.length) {
    parts.push(
      htmlTable(
        ['fault', 'action', 'after mutation', 'held', 'outcome'],
        summary.faults.map((f) => [f.kind, String(f.details['action'] ?? ''), f.afterMutations, { html: f.held ? '<span class="good">yes</span>' : '<strong class="bad">no</strong>' }, f.outcome]),
        2,
      ),
    );
  }
  if (summary.dlq?.length) {
    parts.push(htmlTable(['task', 'DLQ messages', 'first bodies'], summary.dlq.map((d) => [d.taskId, d.messages, d.samples.join(' | ')]), 1));
  }
  if (summary.collection) parts.push(`<p class="note">Deliveries collected through: ${escapeHtml(String(summary.collection['method'] ?? ''))}.</p>`);
  return parts.length === 0 ? '' : `<section id="faults"><h2>Faults, DLQs and collection</h2>\n${parts.join('\n')}\n</section>`;
}
