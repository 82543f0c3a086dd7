import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import type { FanoutSummary } from '../fanout/files.ts';
import { HTTP_TIERS } from '../scenarios.ts';
import type { RunSummary } from '../results/schema.ts';
import { baseOptions, categoryAxis, formatMs, linearAxis, targetColor, targetLabel, type ChartSpec } from './charts.ts';
import { escapeHtml, type PageInput } from './html.ts';
import { loadRun, type LoadedRun } from './load.ts';
import { chartFigure, footer, htmlTable, stageBanner } from './page-parts.ts';

export interface HistoryInput {
  /** The stage folder (`results/local`). */
  dir: string;
  runs: LoadedRun[];
  /** Folders that were not readable runs, with the reason. */
  skipped: { name: string; reason: string }[];
}

/** Every run folder under the stage folder, oldest first. */
export async function loadHistory(stageDir: string): Promise<HistoryInput> {
  let entries;
  try {
    entries = await readdir(stageDir, { withFileTypes: true });
  } catch (err) {
    throw new ConfigError(`Cannot read results folder ${stageDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { cause: err });
  }
  const runs: LoadedRun[] = [];
  const skipped: HistoryInput['skipped'] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const dir = path.join(stageDir, entry.name);
    if (!existsSync(path.join(dir, 'summary.json'))) continue;
    try {
      runs.push(await loadRun(dir));
    } catch (err) {
      skipped.push({ name: entry.name, reason: (err as Error).message });
    }
  }
  runs.sort((a, b) => a.summary.startedAt.localeCompare(b.summary.startedAt) || a.summary.runId.localeCompare(b.summary.runId));
  return { dir: stageDir, runs, skipped };
}

/** Link from history.html (in the stage folder) to the run: its report.html, else its summary.json. */
function runHref(run: LoadedRun): string {
  const folder = path.basename(run.dir);
  const file = existsSync(path.join(run.dir, 'report.html')) ? 'report.html' : 'summary.json';
  return `${encodeURIComponent(folder)}/${file}`;
}

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');

function commitText(s: { provenance: RunSummary['provenance'] }): string {
  const p = s.provenance;
  return `kit ${p.runnerVersion} @ ${p.gitCommit ? p.gitCommit.slice(0, 10) : 'unknown commit'}${p.gitDirty ? ' (uncommitted changes)' : ''}`;
}

function machineText(s: { provenance: RunSummary['provenance'] }): string {
  const p = s.provenance;
  return `Node ${p.node}, ${p.cpus.count} × ${p.cpus.model}`;
}

function configText(s: RunSummary): string {
  return s.backend.config ? Object.entries(s.backend.config).map(([k, v]) => `${k}=${v}`).join(', ') : 'backend configuration not given';
}

/** Tooltip lines describing how an API run was made. */
export function apiRunLines(s: RunSummary, tier: string): string[] {
  const t = s.settings.tiers.find((x) => x.name === tier);
  const load = s.settings.mode === 'open' ? `open loop, ${s.settings.rate} req/s` : 'closed loop';
  return [
    `run ${s.runId} (scenario ${s.settings.scenario})${s.complete ? '' : ' INCOMPLETE'}`,
    `${tier}: ${t ? `${t.requests} requests @ ${t.concurrency}` : ''}, ${load}`,
    `warm-up ${s.settings.warmupPerTarget}, timeout ${s.settings.timeoutMs} ms, seed ${s.settings.seed}`,
    commitText(s),
    machineText(s),
    configText(s),
  ];
}

function tierOrder(name: string): number {
  const i = HTTP_TIERS.findIndex((t) => t.name === name);
  return i === -1 ? HTTP_TIERS.length : i;
}

export type HistoryStat = 'p50Ms' | 'p99Ms';
const STAT_NAME: Record<HistoryStat, string> = { p50Ms: 'p50', p99Ms: 'p99' };

/** One statistic (p50 or p99) of one tier, per backend, across the runs that have the tier, oldest first. */
export function historyTierChart(tier: string, stat: HistoryStat, runs: readonly Extract<LoadedRun, { kind: 'api-load' }>[], stageLabel: string): ChartSpec {
  const withTier = runs.filter((r) => r.summary.results.some((x) => x.tier === tier));
  const targets = [...new Set(withTier.flatMap((r) => r.summary.results.filter((x) => x.tier === tier).map((x) => x.target)))];
  const value = (run: LoadedRun & { kind: 'api-load' }, target: string) => run.summary.results.find((x) => x.tier === tier && x.target === target)?.latency?.[stat] ?? null;
  const datasets = targets.map((target, i) => ({
    label: target,
    data: withTier.map((r) => value(r, target)),
    borderColor: targetColor(target, i),
    backgroundColor: targetColor(target, i),
    pointRadius: 5,
    pointHoverRadius: 8,
    borderWidth: 2,
  }));
  return {
    type: 'line',
    data: { labels: withTier.map((r) => when(r.summary.startedAt)), datasets },
    options: baseOptions(
      { title: `${tier}: ${STAT_NAME[stat]} per backend across runs (${stageLabel})`, subtitle: 'one point per run, oldest first; click a point to open its run' },
      { x: categoryAxis('run start (UTC)', { offset: true }), y: linearAxis(`${STAT_NAME[stat]} latency (ms)`) },
      { tooltip: { mode: 'index', intersect: false } },
    ),
    behaviours: { points: withTier.map((r) => ({ href: runHref(r), lines: apiRunLines(r.summary, tier) })), unit: ' ms' },
  };
}

function fanoutHistoryChart(runs: readonly Extract<LoadedRun, { kind: 'fanout' }>[], stageLabel: string): ChartSpec {
  const threshold = runs[0]?.summary.requirement.thresholdMs ?? 2000;
  const v = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? null : x);
  const series = (label: string, pick: (s: FanoutSummary) => number | null, color: string, dash?: number[]) => ({
    label,
    data: runs.map((r) => pick(r.summary)),
    borderColor: color,
    backgroundColor: color,
    pointRadius: 5,
    borderWidth: 2,
    ...(dash ? { borderDash: dash } : {}),
  });
  const max = Math.max(threshold, ...runs.map((r) => v(r.summary.hops.endToEnd.max) ?? 0));
  return {
    type: 'line',
    data: {
      labels: runs.map((r) => when(r.summary.startedAt)),
      datasets: [
        series('end to end p50', (s) => v(s.hops.endToEnd.p50), '#0072B2'),
        series('end to end p99', (s) => v(s.hops.endToEnd.p99), '#E69F00', [6, 4]),
        series('end to end max', (s) => v(s.hops.endToEnd.max), '#D55E00', [2, 3]),
      ],
    },
    options: baseOptions(
      { title: `Fan-out: end to end latency across runs (${stageLabel})`, subtitle: 'write → applied on every task. Click a point to open its run.' },
      { x: categoryAxis('run start (UTC)', { offset: true }), y: linearAxis('latency (ms)', { max: Math.ceil((max * 1.08) / 100) * 100 }) },
      { tooltip: { mode: 'index', intersect: false } },
    ),
    behaviours: {
      threshold: { value: threshold, label: `${threshold / 1000} s requirement` },
      points: runs.map((r) => ({
        href: runHref(r),
        lines: [
          `run ${r.summary.runId} (scenario ${r.summary.scenario})`,
          `requirement ${r.summary.requirement.held ? 'held' : 'NOT held'}: ${r.summary.requirement.explanation}`,
          Object.entries(r.summary.settings ?? {})
            .filter(([, x]) => typeof x !== 'object')
            .map(([k, x]) => `${k}=${String(x)}`)
            .join(', '),
          commitText(r.summary),
          machineText(r.summary),
        ],
      })),
      unit: ' ms',
    },
  };
}

function legend(runs: readonly Extract<LoadedRun, { kind: 'api-load' }>[]): string {
  const targets = [...new Set(runs.flatMap((r) => r.summary.results.map((x) => x.target)))];
  return `<ul class="legend">${targets.map((t, i) => `<li><span class="swatch" style="background:${targetColor(t, i)}"></span>${escapeHtml(targetLabel(t))}</li>`).join('')}</ul>`;
}

/** history.html: p50 and p99 per backend and tier across every run in the stage folder, in time order. */
export function historyPage(input: HistoryInput): PageInput {
  const api = input.runs.filter((r): r is Extract<LoadedRun, { kind: 'api-load' }> => r.kind === 'api-load');
  const fanout = input.runs.filter((r): r is Extract<LoadedRun, { kind: 'fanout' }> => r.kind === 'fanout');
  const stages = [...new Set(input.runs.map((r) => r.summary.stage))];
  const stage = stages.length === 1 ? stages[0]! : stages.length === 0 ? path.basename(input.dir) : 'mixed';
  const stageLabel = stage === 'local' ? 'local stage, not AWS' : `${stage} stage`;
  const charts: Record<string, ChartSpec> = {};
  const tiers = [...new Set(api.flatMap((r) => r.summary.results.map((x) => x.tier)))].sort((a, b) => tierOrder(a) - tierOrder(b) || a.localeCompare(b));
  const tierFigures = tiers.map((tier, i) => {
    charts[`h${i}-p50`] = historyTierChart(tier, 'p50Ms', api, stageLabel);
    charts[`h${i}-p99`] = historyTierChart(tier, 'p99Ms', api, stageLabel);
    return `<h3>${escapeHtml(tier)}</h3><div class="grid">${chartFigure(`h${i}-p50`, `${tier} p50 per backend across runs`)}${chartFigure(`h${i}-p99`, `${tier} p99 per backend across runs`)}</div>`;
  });
  if (fanout.length > 0) charts['fanout'] = fanoutHistoryChart(fanout, stageLabel);
  const link = (r: LoadedRun) => ({ html: `<a href="${escapeHtml(runHref(r))}">${escapeHtml(r.summary.runId)}</a>` });
  const apiRows = api.map((r) => {
    const s = r.summary;
    return [
      when(s.startedAt),
      link(r),
      s.settings.scenario,
      s.settings.mode === 'open' ? `open ${s.settings.rate} req/s` : 'closed',
      s.settings.tiers.map((t) => `${t.name} ${t.requests}@${t.concurrency}`).join(', '),
      s.settings.targets.join(', '),
      commitText(s),
      machineText(s),
      configText(s),
      { html: s.complete ? 'yes' : '<span class="bad">no</span>' },
    ];
  });
  const fanoutRows = fanout.map((r) => {
    const s = r.summary;
    const e = s.hops.endToEnd;
    return [when(s.startedAt), link(r), s.scenario, formatMs(e.p50), formatMs(e.p99), formatMs(e.max), { html: s.requirement.held ? '<span class="good">held</span>' : '<span class="bad">NOT held</span>' }, commitText(s), machineText(s)];
  });
  const latest = input.runs.at(-1)?.summary.provenance ?? null;
  const body = `<header>
<h1>Results history <span class="muted">${escapeHtml(path.basename(path.resolve(input.dir)))}</span></h1>
${stageBanner(stage, stage === 'local' ? latest : null, stage === 'local' ? 'Runs made on different machines are not comparable with each other either: check the machine column.' : undefined)}
<p class="meta">${api.length} API load run${api.length === 1 ? '' : 's'}${fanout.length ? `, ${fanout.length} fan-out run${fanout.length === 1 ? '' : 's'}` : ''}, oldest first. Each point links to its run's report.</p>
${input.skipped.length ? `<ul class="failures">${input.skipped.map((s) => `<li>skipped ${escapeHtml(s.name)}: ${escapeHtml(s.reason)}</li>`).join('')}</ul>` : ''}
</header>
${api.length ? `<section><h2>API backends: p50 and p99 per tier</h2>${legend(api)}${tierFigures.join('\n')}</section>` : ''}
${fanout.length ? `<section><h2>Fan-out benchmark</h2><div class="grid">${chartFigure('fanout', 'fan-out end to end latency across runs', true, 340)}</div>
${htmlTable(['started', 'run', 'scenario', 'e2e p50 (ms)', 'e2e p99 (ms)', 'e2e max (ms)', '2 s requirement', 'kit', 'machine'], fanoutRows, 3, 'numbers wrap')}</section>` : ''}
${api.length ? `<section><h2>API runs and their configuration</h2>${htmlTable(['started', 'run', 'scenario', 'mode', 'tiers', 'targets', 'kit', 'machine', 'backend configuration', 'complete'], apiRows, 99, 'wrap')}</section>` : ''}
${input.runs.length === 0 ? '<p class="bad">No run folders with a summary.json here.</p>' : ''}
${footer(`node runner report --history ${input.dir}`)}`;
  return { title: `${stage === 'local' ? '[LOCAL] ' : `[${stage.toUpperCase()}] `}results history`, body, charts };
}
