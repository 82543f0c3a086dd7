/**
 * One load measurement in its own process, for bench/runner-vs-autocannon.ts:
 *   node --import tsx bench/load-worker.ts <runner|autocannon> <url> <requests> <connections>
 * prints `{"tool", "requests", "completed", "wallMs", "rps", "p50Ms"}` on stdout.
 * Throughput is completed requests over first send to last response for both tools (autocannon's own
 * duration is rounded up to its next 1 s sampling tick).
 */
import autocannon from 'autocannon';
import { runLoad } from '../runner/engine/load.ts';

const [tool, url, requestsArg, connectionsArg] = process.argv.slice(2);
const requests = Number(requestsArg);
const connections = Number(connectionsArg);
if (!url || !(tool === 'runner' || tool === 'autocannon') || !(requests > 0) || !(connections > 0)) {
  process.stderr.write('usage: load-worker.ts <runner|autocannon> <url> <requests> <connections>\n');
  process.exit(2);
}

interface Measurement {
  tool: string;
  requests: number;
  completed: number;
  wallMs: number;
  rps: number;
  p50Ms: number;
}

async function measureRunner(): Promise<Measurement> {
  const target = new URL(url!);
  const r = await runLoad({ origin: target.origin, paths: [target.pathname], requests, concurrency: connections, timeoutMs: 30_000 });
  return {
    tool: 'runner',
    requests,
    completed: r.tally.completed,
    wallMs: r.wallMs,
    rps: r.tally.completed / (r.wallMs / 1000),
    p50Ms: r.tally.histogram.getValueAtPercentile(50) / 1000,
  };
}

async function measureAutocannon(): Promise<Measurement> {
  let last = 0;
  let completed = 0;
  const start = performance.now();
  const instance = autocannon({ url: url!, connections, amount: requests, timeout: 30 });
  instance.on('response', () => {
    completed++;
    last = performance.now();
  });
  const result = await instance;
  const wallMs = last - start;
  return { tool: 'autocannon', requests, completed, wallMs, rps: completed / (wallMs / 1000), p50Ms: result.latency.p50 };
}

const m = tool === 'runner' ? await measureRunner() : await measureAutocannon();
process.stdout.write(`${JSON.stringify(m)}\n`);
