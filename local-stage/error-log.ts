import type { GatewayLogEntry } from './apigateway/gateway.ts';

/**
 * The local gateway's error log, kept readable under load: the first `burst` errors of each kind
 * (route and message) are printed in full, later ones are counted and summed up at most once per
 * `intervalMs`, and `flush()` prints what is left. Under test5 a saturated local stage fails thousands
 * of requests the same way; the runner's results already count every one of them.
 */
export function throttledErrorLog(write: (line: string) => void, options: { burst?: number; intervalMs?: number } = {}) {
  const burst = options.burst ?? 5;
  const intervalMs = options.intervalMs ?? 5_000;
  const seen = new Map<string, number>();
  const unreported = new Map<string, number>();
  let lastSummary = Date.now();

  const flush = () => {
    for (const [kind, count] of unreported) write(`${count} more local gateway error(s) like: ${kind}`);
    unreported.clear();
    lastSummary = Date.now();
  };
  const log = (entry: GatewayLogEntry) => {
    const kind = `${entry.route}: ${entry.error}`;
    const count = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, count);
    if (count <= burst) write(JSON.stringify(entry));
    else unreported.set(kind, (unreported.get(kind) ?? 0) + 1);
    if (unreported.size > 0 && Date.now() - lastSummary >= intervalMs) flush();
  };
  return { log, flush };
}
