import { decodeHistogram } from '../engine/histogram.ts';
import { CLIENT_ERROR_KINDS } from '../engine/tally.ts';
import type { RunSummary, TargetTierResult } from '../results/schema.ts';
import {
  baseOptions,
  categoryAxis,
  formatMs,
  formatPercent,
  linearAxis,
  logAxis,
  percentileCurve,
  statusColor,
  targetColor,
  targetLabel,
  withAlpha,
  type ChartSpec,
} from './charts.ts';
import { escapeHtml, type PageInput } from './html.ts';
import { costSection } from './cost-section.ts';
import { chartFigure, definitionList, footer, htmlTable, provenanceEntries, stageBanner } from './page-parts.ts';

const LATENCY_METRICS = [
  ['fastest', 'fastestMs'],
  ['average', 'avgMs'],
  ['p50', 'p50Ms'],
  ['p99', 'p99Ms'],
] as const;

interface Tier {
  name: string;
  requests: number;
  concurrency: number;
  rows: TargetTierResult[];
}

/** Tiers in run order, each with its rows in target order. */
export function tiersOf(summary: RunSummary): Tier[] {
  const names = [...new Set([...summary.settings.tiers.map((t) => t.name), ...summary.results.map((r) => r.tier)])];
  const order = (t: string) => {
    const i = summary.settings.targets.indexOf(t as never);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return names
    .map((name) => {
      const rows = summary.results.filter((r) => r.tier === name).sort((a, b) => order(a.target) - order(b.target));
      const setting = summary.settings.tiers.find((t) => t.name === name);
      return { name, requests: setting?.requests ?? rows[0]?.requests ?? 0, concurrency: setting?.concurrency ?? rows[0]?.concurrency ?? 0, rows };
    })
    .filter((t) => t.rows.length > 0);
}

function tierDescription(summary: RunSummary, tier: Tier): string {
  const load =
    summary.settings.mode === 'open'
      ? `open loop at ${summary.settings.rate} req/s, ${tier.concurrency.toLocaleString('en-US')} connections`
      : `closed loop, concurrency ${tier.concurrency.toLocaleString('en-US')}`;
  return `${tier.requests.toLocaleString('en-US')} requests, ${load}`;
}

export function latencyChart(tier: Tier, stageNote: string, summary: RunSummary): ChartSpec {
  return {
    type: 'bar',
    data: {
      labels: LATENCY_METRICS.map(([label]) => label),
      datasets: tier.rows.map((r, i) => ({
        label: r.target,
        data: LATENCY_METRICS.map(([, key]) => r.latency?.[key] ?? null),
        backgroundColor: targetColor(r.target, i),
        borderColor: targetColor(r.target, i),
      })),
    },
    options: baseOptions(
      { title: `${tier.name}: latency per backend (${stageNote})`, subtitle: `${tierDescription(summary, tier)}; every response with an HTTP status` },
      { x: categoryAxis('statistic'), y: linearAxis('latency (ms)') },
    ),
    behaviours: { unit: ' ms' },
  };
}

export function successChart(tier: Tier, stageNote: string): ChartSpec {
  return {
    type: 'bar',
    data: {
      labels: tier.rows.map((r) => (r.failed ? `${r.target} (FAILED)` : r.target)),
      datasets: [
        {
          label: 'success rate (2xx / requests)',
          data: tier.rows.map((r) => Math.round(r.successRate * 10_000) / 100),
          backgroundColor: tier.rows.map((r, i) => targetColor(r.target, i)),
        },
      ],
    },
    options: baseOptions(
      { title: `${tier.name}: success rate (${stageNote})`, subtitle: '2xx responses / requests sent', legend: false },
      { x: categoryAxis('backend'), y: linearAxis('success rate (%)', { min: 0, max: 100 }) },
    ),
    behaviours: { unit: '%' },
  };
}

export function percentileChart(tier: Tier, stageNote: string): ChartSpec {
  const datasets = tier.rows
    .filter((r) => r.histogram.count > 0 && r.histogram.data !== '')
    .map((r, i) => ({
      label: r.target,
      data: percentileCurve(decodeHistogram(r.histogram.data)),
      borderColor: targetColor(r.target, i),
      backgroundColor: targetColor(r.target, i),
      showLine: true,
      pointRadius: 0,
      borderWidth: 2,
    }));
  return {
    type: 'scatter',
    data: { datasets },
    options: baseOptions(
      { title: `${tier.name}: latency by percentile (${stageNote})`, subtitle: 'from the stored HDR histograms; both axes logarithmic' },
      { x: logAxis('percentile'), y: logAxis('latency (ms)') },
    ),
    behaviours: { percentileAxis: true, unit: ' ms' },
  };
}

/** Status codes and client errors present in the tier, 2xx first. */
function outcomeKeys(rows: readonly TargetTierResult[]): string[] {
  const codes = [...new Set(rows.flatMap((r) => Object.keys(r.statusCounts)))].sort();
  const errors = CLIENT_ERROR_KINDS.filter((k) => rows.some((r) => r.clientErrors[k] > 0));
  return [...codes, ...errors];
}

export function statusChart(tier: Tier, stageNote: string): ChartSpec {
  const keys = outcomeKeys(tier.rows);
  return {
    type: 'bar',
    data: {
      labels: tier.rows.map((r) => r.target),
      datasets: keys.map((key) => ({
        label: /^\d+$/.test(key) ? `HTTP ${key}` : `no answer: ${key}`,
        data: tier.rows.map((r) => r.statusCounts[key] ?? r.clientErrors[key as keyof TargetTierResult['clientErrors']] ?? 0),
        backgroundColor: statusColor(key),
      })),
    },
    options: baseOptions(
      { title: `${tier.name}: status codes per backend (${stageNote})`, subtitle: 'responses by HTTP status; requests without one by error kind' },
      { x: categoryAxis('backend', { stacked: true }), y: linearAxis('requests', { stacked: true }) },
    ),
    behaviours: { unit: ' requests' },
  };
}

function tierTable(tier: Tier): string {
  const header = ['backend', 'ok / requests', 'success', 'fastest', 'avg', 'p50', 'p90', 'p99', 'p99.9', 'max', 'req/s', 'status codes', 'bad body', 'no answer', 'load generator'];
  const rows = tier.rows.map((r, i) => [
    {
      html: `<span class="swatch" style="background:${targetColor(r.target, i)}"></span>${escapeHtml(r.target)}${r.failed ? ' <strong class="bad">FAILED</strong>' : ''}${r.client?.clientBound ? ' <strong class="bad">CLIENT-BOUND</strong>' : ''}`,
    },
    `${r.ok.toLocaleString('en-US')} / ${r.requests.toLocaleString('en-US')}`,
    formatPercent(r.successRate),
    formatMs(r.latency?.fastestMs),
    formatMs(r.latency?.avgMs),
    formatMs(r.latency?.p50Ms),
    formatMs(r.latency?.p90Ms),
    formatMs(r.latency?.p99Ms),
    formatMs(r.latency?.p999Ms),
    formatMs(r.latency?.maxMs),
    r.throughputRps.toFixed(0),
    Object.entries(r.statusCounts)
      .map(([c, n]) => `${c}: ${n}`)
      .join(', ') || '–',
    r.badBody === undefined ? '–' : r.badBody.toLocaleString('en-US'),
    CLIENT_ERROR_KINDS.filter((k) => r.clientErrors[k] > 0)
      .map((k) => `${k}: ${r.clientErrors[k]}`)
      .join(', ') || '–',
    r.client ? `${r.client.loadFrom}, ${r.client.workers} worker${r.client.workers === 1 ? '' : 's'}${r.client.clientBound ? ', CLIENT-BOUND' : ''}` : '–',
  ]);
  const failures = tier.rows
    .filter((r) => r.failureReason)
    .map((r) => `<li><strong>${escapeHtml(r.target)}</strong>: ${escapeHtml(r.failureReason)}</li>`)
    .join('');
  const bad = tier.rows
    .filter((r) => (r.badBody ?? 0) > 0)
    .map((r) => `<li><strong>${escapeHtml(r.target)}</strong>: ${r.badBody} 2xx responses with a body that is not the expected page (not counted as ok)${r.badBodySamples?.[0] ? `, e.g. ${escapeHtml(r.badBodySamples[0].path)}: ${escapeHtml(r.badBodySamples[0].detail)}` : ''}</li>`)
    .join('');
  const bound = tier.rows
    .filter((r) => r.client?.clientBound)
    .map((r) => `<li><strong>${escapeHtml(r.target)}</strong> CLIENT-BOUND, latencies inflated by the load generator: ${escapeHtml(r.client!.clientBoundReason ?? '')}</li>`)
    .join('');
  const check = tier.rows.find((r) => r.bodyCheck)?.bodyCheck;
  const checkNote = check
    ? check.mode === 'all'
      ? ` Every 2xx body checked (${check.expected}); one in ${check.fullParseEvery} parsed whole.`
      : check.mode === 'none'
        ? ' Bodies not checked.'
        : ' A sample of 2xx bodies checked.'
    : '';
  return `${htmlTable(header, rows)}<p class="note">Latencies in ms, over every response with an HTTP status (any status); req/s over the tier's wall time.${checkNote}</p>${failures ? `<ul class="failures">${failures}</ul>` : ''}${bad ? `<ul class="failures">${bad}</ul>` : ''}${bound ? `<ul class="failures">${bound}</ul>` : ''}`;
}

/** The HTML report of one API load run, from its summary.json. */
export function apiRunPage(summary: RunSummary): PageInput {
  const stageNote = summary.stage === 'local' ? 'local stage, not AWS' : `${summary.stage} stage`;
  const tiers = tiersOf(summary);
  const charts: Record<string, ChartSpec> = {};
  const sections = tiers.map((tier, t) => {
    const id = (kind: string) => `t${t}-${kind}`;
    charts[id('latency')] = latencyChart(tier, stageNote, summary);
    charts[id('success')] = successChart(tier, stageNote);
    charts[id('percentiles')] = percentileChart(tier, stageNote);
    charts[id('status')] = statusChart(tier, stageNote);
    return `<section class="tier" id="tier-${escapeHtml(tier.name)}">
<h2>${escapeHtml(tier.name)} <span class="muted">${escapeHtml(tierDescription(summary, tier))}</span></h2>
<div class="grid">
${chartFigure(id('latency'), `${tier.name} latency per backend`)}
${chartFigure(id('success'), `${tier.name} success rate per backend`)}
${chartFigure(id('percentiles'), `${tier.name} latency by percentile`)}
${chartFigure(id('status'), `${tier.name} status codes per backend`)}
</div>
${tierTable(tier)}
</section>`;
  });
  const s = summary.settings;
  const state = summary.complete ? 'complete' : summary.interrupted ? 'INTERRUPTED: only finished tiers are shown' : 'INCOMPLETE: only finished tiers are shown';
  const legend = summary.settings.targets.map((t, i) => `<li><span class="swatch" style="background:${targetColor(t, i)}"></span>${escapeHtml(targetLabel(t))}</li>`).join('');
  const backendConfig = summary.backend.config ? Object.entries(summary.backend.config).map(([k, v]) => [`backend ${k}`, v] as [string, unknown]) : [['backend configuration', 'not given by the stage'] as [string, unknown]];
  const body = `<header>
<h1>API backends load test <span class="muted">${escapeHtml(summary.runId)}</span></h1>
${stageBanner(summary.stage, summary.provenance)}
<p class="meta">Scenario <strong>${escapeHtml(s.scenario)}</strong> · ${escapeHtml(summary.startedAt)} to ${escapeHtml(summary.endedAt ?? '–')} (UTC) · <span class="${summary.complete ? 'good' : 'bad'}">${escapeHtml(state)}</span></p>
<ul class="legend">${legend}</ul>
<nav>${tiers.map((t) => `<a href="#tier-${escapeHtml(t.name)}">${escapeHtml(t.name)}</a>`).join(' ')} ${summary.results.some((r) => r.cost || r.coldStarts) ? '<a href="#cost">cost and cold starts</a> ' : ''}<a href="#settings">settings and environment</a></nav>
</header>
${sections.join('\n') || '<p class="bad">No finished tier in this run.</p>'}
${costSection(summary)}
<section id="settings"><h2>Settings and environment</h2>
${definitionList([
  ['stage', summary.stage === 'local' ? 'local (not AWS)' : summary.stage],
  ['run id', summary.runId],
  ['scenario', s.scenario],
  ['tiers', s.tiers.map((t) => `${t.name}: ${t.requests} @ ${t.concurrency}`).join('; ')],
  ['targets', s.targets.join(', ')],
  ['mode', s.mode === 'open' ? `open loop, ${s.rate} req/s (latency from intended send time)` : 'closed loop (each worker sends when its previous request ends)'],
  ['warm-up per target and tier', s.warmupPerTarget],
  ['timeout', `${s.timeoutMs} ms`],
  ['seed', s.seed],
  ['request order', s.requestOrder],
  ['region', summary.backend.region],
  ['table', summary.backend.tableName],
  ...backendConfig,
  ...provenanceEntries(summary.provenance),
  ['schema version', summary.schemaVersion],
])}
</section>
${footer(`node runner report ${summary.stage}/${summary.runId}`)}`;
  return { title: `${summary.stage === 'local' ? '[LOCAL] ' : `[${summary.stage.toUpperCase()}] `}${summary.runId}: API backends load test`, body, charts };
}
