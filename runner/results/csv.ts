import { stringify } from 'csv-stringify/sync';
import { CLIENT_ERROR_KINDS } from '../engine/tally.ts';
import type { TargetTierResult } from './schema.ts';

const FIXED_COLUMNS = [
  'stage', 'scenario', 'tier', 'target', 'mode', 'requests', 'concurrency', 'rate', 'ok', 'success_rate',
  'fastest_ms', 'avg_ms', 'stdev_ms', 'p50_ms', 'p90_ms', 'p99_ms', 'p999_ms', 'max_ms', 'throughput_rps',
  'failed', 'started_at', 'ended_at',
  // schema 2 (empty for rows of version-1 files)
  'bad_body', 'body_check', 'all_p50_ms', 'all_p99_ms', 'cold_starts', 'warm_starts', 'instances', 'workers', 'load_from',
  'client_bound', 'client_bound_reason',
  // cost (lib/cost/): USD per million requests at list prices, and how the figure was obtained
  'cost_per_million_usd', 'cost_basis',
] as const;

/**
 * summary.csv: one row per target and tier, RFC 4180 (CRLF, quotes where needed). After the fixed
 * columns come one `status_<code>` column per status seen in the run, one `errors_<kind>` column
 * per client-error kind, and one `sum_<name>` column per `x-sst-<name>` header summed in the run.
 * `bad_body`: 2xx responses whose body was not the expected page (not counted in `ok`);
 * `client_bound`: true when the load generator was the limit (reason in `client_bound_reason`).
 * `cost_per_million_usd`: list-price cost per million requests (parts in summary.json); `cost_basis`
 * says whose bill it is and where each quantity came from ("local estimate of what AWS would bill ...").
 */
export function summaryCsv(results: readonly TargetTierResult[]): string {
  const statuses = [...new Set(results.flatMap((r) => Object.keys(r.statusCounts)))].sort((a, b) => Number(a) - Number(b));
  const sums = [...new Set(results.flatMap((r) => Object.keys(r.headerSums ?? {})))].sort();
  const header = [...FIXED_COLUMNS, ...statuses.map((s) => `status_${s}`), ...CLIENT_ERROR_KINDS.map((k) => `errors_${k}`), ...sums.map((n) => `sum_${n}`)];
  const rows = results.map((r) => {
    const l = r.latency;
    const fixed: Record<(typeof FIXED_COLUMNS)[number], string | number> = {
      stage: r.stage,
      scenario: r.scenario,
      tier: r.tier,
      target: r.target,
      mode: r.mode,
      requests: r.requests,
      concurrency: r.concurrency,
      rate: r.rate ?? '',
      ok: r.ok,
      success_rate: round4(r.successRate),
      fastest_ms: l?.fastestMs ?? '',
      avg_ms: l?.avgMs ?? '',
      stdev_ms: l?.stdevMs ?? '',
      p50_ms: l?.p50Ms ?? '',
      p90_ms: l?.p90Ms ?? '',
      p99_ms: l?.p99Ms ?? '',
      p999_ms: l?.p999Ms ?? '',
      max_ms: l?.maxMs ?? '',
      throughput_rps: r.throughputRps,
      failed: r.failed ? 'true' : 'false',
      started_at: r.startedAt,
      ended_at: r.endedAt,
      bad_body: r.badBody ?? '',
      body_check: r.bodyCheck ? (r.bodyCheck.mode === 'all' ? `all (1 in ${r.bodyCheck.fullParseEvery} parsed whole)` : r.bodyCheck.mode) : '',
      all_p50_ms: r.latencyAll?.p50Ms ?? '',
      all_p99_ms: r.latencyAll?.p99Ms ?? '',
      cold_starts: r.coldStarts?.cold ?? '',
      warm_starts: r.coldStarts?.warm ?? '',
      instances: r.coldStarts?.instances ?? '',
      workers: r.client?.workers ?? '',
      load_from: r.client?.loadFrom ?? '',
      client_bound: r.client ? String(r.client.clientBound) : '',
      client_bound_reason: r.client?.clientBoundReason ?? '',
      cost_per_million_usd: r.cost?.perMillionUsd === null || r.cost?.perMillionUsd === undefined ? '' : Number(r.cost.perMillionUsd.toPrecision(6)),
      cost_basis: r.cost?.basis ?? '',
    };
    return [
      ...FIXED_COLUMNS.map((c) => fixed[c]),
      ...statuses.map((s) => r.statusCounts[s] ?? 0),
      ...CLIENT_ERROR_KINDS.map((k) => r.clientErrors[k]),
      ...sums.map((n) => r.headerSums?.[n]?.sum ?? ''),
    ];
  });
  return stringify([header, ...rows], { record_delimiter: 'windows', quoted_match: /[",\r\n]/ });
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
