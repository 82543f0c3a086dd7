/**
 * One load measurement in its own process, for bench/runner-vs-wrk.ts:
 *   node --import tsx bench/load-worker.ts runner <url> <requests> <connections> [workers]
 *   node --import tsx bench/load-worker.ts autocannon <url> <requests> <connections>
 *   node --import tsx bench/load-worker.ts slice <url> <requests> <connections> <sliceIndex> <sliceCount> <startAtEpochMs>
 * prints one JSON line on stdout (`slice` prints its SliceResult, for the process-per-worker variant).
 * Throughput is completed requests over first send to last response for every tool (autocannon's
 * own duration is rounded up to its next 1 s sampling tick).
 */
import autocannon from 'autocannon';
import { breedCounts } from '../lib/turkeys/breed-counts.ts';
import { judgeClientBound } from '../runner/engine/guard.ts';
import { runLoad } from '../runner/engine/load.ts';
import { breedPageCheck, DEFAULT_FULL_PARSE_EVERY } from '../runner/engine/response-check.ts';
import { runSlice, type LoadPlan } from '../runner/engine/slice.ts';

const [tool, url, requestsArg, connectionsArg, ...rest] = process.argv.slice(2);
const requests = Number(requestsArg);
const connections = Number(connectionsArg);
if (!url || !(tool === 'runner' || tool === 'autocannon' || tool === 'slice') || !(requests > 0) || !(connections > 0)) {
  process.stderr.write('usage: load-worker.ts <runner|autocannon|slice> <url> <requests> <connections> [workers | sliceIndex sliceCount startAtEpochMs]\n');
  process.exit(2);
}

export interface Measurement {
  tool: string;
  requests: number;
  completed: number;
  ok: number;
  wallMs: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  workers?: number;
  clientBound?: boolean;
  clientBoundReason?: string | null;
  maxElu?: number;
  maxDelayP99Ms?: number;
  /** Lowest thread CPU share / event-loop utilization of any worker (starvation when low). */
  minCpuPerBusy?: number;
}

function plan(): LoadPlan {
  const target = new URL(url!);
  const breed = decodeURIComponent(target.pathname.split('/turkeys/')[1] ?? '');
  const paths = [target.pathname];
  return {
    origin: target.origin,
    paths,
    requests,
    concurrency: connections,
    timeoutMs: 30_000,
    responseCheck: breedPageCheck(paths, [breed], breedCounts(), DEFAULT_FULL_PARSE_EVERY),
  };
}

async function measureRunner(workers: number): Promise<Measurement> {
  const r = await runLoad({ ...plan(), workers });
  const verdict = judgeClientBound(r.health ?? []);
  return {
    tool: 'runner',
    requests,
    completed: r.tally.completed,
    ok: r.tally.ok,
    wallMs: r.wallMs,
    rps: r.tally.completed / (r.wallMs / 1000),
    p50Ms: r.tally.histogram.getValueAtPercentile(50) / 1000,
    p99Ms: r.tally.histogram.getValueAtPercentile(99) / 1000,
    workers: r.workers ?? 1,
    clientBound: verdict.clientBound,
    clientBoundReason: verdict.reason,
    maxElu: Math.max(...(r.health ?? []).map((h) => h.eventLoopUtilization)),
    maxDelayP99Ms: Math.max(...(r.health ?? []).map((h) => h.eventLoopDelayMs.p99)),
    minCpuPerBusy: Math.min(...(r.health ?? []).map((h) => (h.eventLoopUtilization > 0 ? h.cpuShare / h.eventLoopUtilization : 1))),
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
  return { tool: 'autocannon', requests, completed, ok: completed - result.non2xx, wallMs, rps: completed / (wallMs / 1000), p50Ms: result.latency.p50, p99Ms: result.latency.p99 };
}

if (tool === 'slice') {
  const [sliceIndex, sliceCount, startAtEpochMs] = rest.map(Number);
  const result = await runSlice({ plan: plan(), sliceIndex: sliceIndex!, sliceCount: sliceCount!, startAtEpochMs: startAtEpochMs! });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const m = tool === 'runner' ? await measureRunner(Number(rest[0] ?? 1)) : await measureAutocannon();
  process.stdout.write(`${JSON.stringify(m)}\n`);
}
