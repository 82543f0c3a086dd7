import { CLIENT_ERROR_KINDS } from './engine/tally.ts';
import type { TargetTierResult } from './results/schema.ts';

/** A plain text table: columns padded, numbers right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const fmt = (ms: number | undefined) => (ms === undefined ? '-' : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));

/** The table printed on stdout after each tier: one row per target. */
export function tierTable(results: readonly TargetTierResult[]): string {
  const first = results[0];
  if (!first) return '';
  const mode = first.mode === 'open' ? `open loop at ${first.rate} req/s, ${first.concurrency} connections` : `concurrency ${first.concurrency}`;
  const title = `${first.tier} (stage ${first.stage}${first.stage === 'local' ? ': local figures, not AWS' : ''}): ${first.requests.toLocaleString('en-US')} requests, ${mode}`;
  const header = ['target', 'ok', 'success', 'fastest ms', 'avg ms', 'p50 ms', 'p90 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'req/s', 'status codes', 'bad body', 'client errors', 'client'];
  const rows = results.map((r) => [
    `${r.target}${r.failed ? ' (FAILED)' : ''}${r.client?.clientBound ? ' (CLIENT-BOUND)' : ''}`,
    `${r.ok}/${r.requests}`,
    `${(r.successRate * 100).toFixed(1)}%`,
    fmt(r.latency?.fastestMs),
    fmt(r.latency?.avgMs),
    fmt(r.latency?.p50Ms),
    fmt(r.latency?.p90Ms),
    fmt(r.latency?.p99Ms),
    fmt(r.latency?.p999Ms),
    fmt(r.latency?.maxMs),
    r.throughputRps.toFixed(0),
    Object.entries(r.statusCounts).map(([s, n]) => `${s}:${n}`).join(' ') || '-',
    r.badBody ? String(r.badBody) : '-',
    CLIENT_ERROR_KINDS.filter((k) => r.clientErrors[k] > 0).map((k) => `${k}:${r.clientErrors[k]}`).join(' ') || '-',
    r.client ? `${r.client.workers}w${r.client.clientBound ? ' BOUND' : ''}` : '-',
  ]);
  const failures = results.filter((r) => r.failed).map((r) => `  ${r.target} failed: ${r.failureReason}`);
  const bad = results
    .filter((r) => (r.badBody ?? 0) > 0)
    .map((r) => `  ${r.target}: ${r.badBody} 2xx responses with a bad body (not counted as ok), e.g. ${r.badBodySamples?.[0]?.path ?? ''}: ${r.badBodySamples?.[0]?.detail ?? ''}`);
  const bound = results
    .filter((r) => r.client?.clientBound)
    .map((r) => `  ${r.target} CLIENT-BOUND (latency inflated by the load generator): ${r.client!.clientBoundReason}`);
  return [title, textTable(header, rows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12])), ...failures, ...bad, ...bound].join('\n');
}
