/**
 * `npm run bench:runner`: where is the load generator's limit? A node:http server answering a ~35 KB
 * breed page (bench/body-server.ts) runs in its own process, bare and with a 60 ms delay (a stand-in
 * for a cloud backend); wrk (the reference: C, epoll), the runner's engine and autocannon, each in
 * its own process, drive it at the scenario shapes (N requests over C connections), alternating, REPS
 * times each. Per shape it prints medians, the throughput ratio to wrk and the p50/p99 inflation
 * against wrk's, and whether the runner flagged the tier client-bound (runner/engine/guard.ts).
 *
 *   BENCH_REPS=3 BENCH_SHAPES=test3,test5 BENCH_SERVERS=bare,delay60 \
 *   BENCH_TOOLS=wrk,runner,autocannon BENCH_WORKERS=auto npm run bench:runner
 *
 * BENCH_WORKERS: comma list of runner worker counts (`auto` = defaultWorkers); tool `procs` runs the
 * runner as that many separate processes (runSlice each, one start instant, merged) instead of threads.
 * wrk: Debian's `wrk` (apt-get install -y wrk), one thread (-t1), stopped after N responses by a Lua
 * counter (bench/wrk-count.lua) and a SIGINT, after which it reports its real duration.
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { defaultWorkers } from '../runner/engine/load.ts';
import { judgeClientBound } from '../runner/engine/guard.ts';
import { mergeSliceResults, type SliceResult } from '../runner/engine/slice.ts';
import { HTTP_TIERS } from '../runner/scenarios.ts';
import type { Measurement } from './load-worker.ts';

const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const SHAPES = (process.env['BENCH_SHAPES'] ?? 'test3,test5').split(',').map((name) => {
  const tier = HTTP_TIERS.find((t) => t.name === name);
  if (!tier) throw new Error(`unknown shape ${name}`);
  return tier;
});
const SERVERS = (process.env['BENCH_SERVERS'] ?? 'bare,delay60').split(',').map((s) => {
  const m = /^(bare|delay(\d+))$/.exec(s);
  if (!m) throw new Error(`unknown server ${s} (bare, delay<ms>)`);
  return { name: s, delayMs: m[2] ? Number(m[2]) : 0 };
});
const TOOLS = (process.env['BENCH_TOOLS'] ?? 'wrk,runner,autocannon').split(',');
const WORKERS = (process.env['BENCH_WORKERS'] ?? 'auto').split(',');
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function wrkAvailable(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its banner; only a missing binary is fatal.
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function output(child: ReturnType<typeof spawn>, what: string): Promise<string> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`${what} exited ${code}`);
  return out;
}

const node = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });

async function runWrk(url: string, requests: number, connections: number): Promise<Measurement> {
  const child = spawn('wrk', ['-t1', `-c${connections}`, '-d60s', '--timeout', '30s', '-s', here('./wrk-count.lua'), url], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WRK_REQUESTS: String(requests) },
  });
  // wrk runs for its -d duration even after a thread stops; on SIGINT it stops and reports the real duration.
  child.stdout!.on('data', (d: Buffer) => {
    if (d.toString().includes('LIMIT')) child.kill('SIGINT');
  });
  const out = await output(child, 'wrk');
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no summary:\n${out}`);
  const w = JSON.parse(line) as { requests: number; durationUs: number; p50Us: number; p99Us: number; errors: number; non2xx: number };
  return {
    tool: 'wrk',
    requests,
    completed: w.requests,
    ok: w.requests - w.non2xx - w.errors,
    wallMs: w.durationUs / 1000,
    rps: w.requests / (w.durationUs / 1e6),
    p50Ms: w.p50Us / 1000,
    p99Ms: w.p99Us / 1000,
  };
}

async function runProcs(url: string, requests: number, connections: number, count: number): Promise<Measurement> {
  const startAt = Date.now() + 1500; // process start-up (tsx) takes ~0.5-1 s
  const outs = await Promise.all(
    Array.from({ length: count }, (_, k) => output(node([here('./load-worker.ts'), 'slice', url, String(requests), String(connections), String(k), String(count), String(startAt)]), 'slice')),
  );
  const results = outs.map((o) => JSON.parse(o) as SliceResult);
  const m = mergeSliceResults(results);
  const verdict = judgeClientBound(m.health);
  return {
    tool: `procs`,
    requests,
    completed: m.tally.completed,
    ok: m.tally.ok,
    wallMs: m.wallMs,
    rps: m.tally.completed / (m.wallMs / 1000),
    p50Ms: m.tally.histogram.getValueAtPercentile(50) / 1000,
    p99Ms: m.tally.histogram.getValueAtPercentile(99) / 1000,
    workers: count,
    clientBound: verdict.clientBound,
    clientBoundReason: verdict.reason,
    maxElu: Math.max(...m.health.map((h) => h.eventLoopUtilization)),
    maxDelayP99Ms: Math.max(...m.health.map((h) => h.eventLoopDelayMs.p99)),
  };
}

async function measure(tool: string, url: string, requests: number, connections: number): Promise<Measurement> {
  if (tool === 'wrk') return runWrk(url, requests, connections);
  const [name, workersArg] = tool.split(':');
  const workers = workersArg === undefined || workersArg === 'auto' ? defaultWorkers(connections) : Number(workersArg);
  if (name === 'procs') return runProcs(url, requests, connections, workers);
  const args = [here('./load-worker.ts'), name!, url, String(requests), String(connections), ...(name === 'runner' ? [String(workers)] : [])];
  return JSON.parse(await output(node(args), name!)) as Measurement;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (x: number, ref: number) => `${x >= ref ? '+' : ''}${(((x - ref) / ref) * 100).toFixed(0)} %`;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

if (TOOLS.includes('wrk') && !wrkAvailable()) {
  console.error('wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu, as root) or `brew install wrk`; or leave it out with BENCH_TOOLS=runner,autocannon.');
  process.exit(1);
}
// Tools with worker variants: runner:1, runner:2, procs:2 ...
const variants = TOOLS.flatMap((t) => (t === 'runner' || t === 'procs' ? WORKERS.map((w) => `${t}:${w}`) : [t]));
console.log(`${availableParallelism()} CPUs, load average ${load()} at start; ${REPS} repetitions per tool, shape and server; tools ${variants.join(', ')}`);
for (const server of SERVERS) {
  const child = spawn(process.execPath, ['--import', 'tsx', here('./body-server.ts'), String(server.delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { url, bytes } = JSON.parse(line) as { url: string; bytes: number };
    const target = `${url}/turkeys/Bourbon%20Red`;
    console.log(`\nserver ${server.name}: node:http in its own process, ${bytes} byte JSON page, ${server.delayMs ? `answers after ${server.delayMs} ms` : 'answers at once'}`);
    for (const shape of SHAPES) {
      const runs = new Map<string, Measurement[]>(variants.map((v) => [v, []]));
      for (let rep = 0; rep < REPS; rep++) {
        const order = rep % 2 === 0 ? variants : [...variants].reverse();
        for (const tool of order) {
          const m = await measure(tool, target, shape.requests, shape.concurrency);
          if (m.completed < shape.requests) throw new Error(`${tool} completed ${m.completed} of ${shape.requests}`);
          runs.get(tool)!.push(m);
          const flag = m.clientBound === undefined ? '' : `  ${m.clientBound ? 'CLIENT-BOUND' : 'not flagged'} (max ELU ${m.maxElu?.toFixed(2)}, delay p99 ${m.maxDelayP99Ms} ms, min CPU/busy ${m.minCpuPerBusy?.toFixed(2) ?? '-'})`;
          console.log(`  ${shape.name} rep ${rep + 1} ${tool.padEnd(10)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms.toFixed(1)} ms  p99 ${m.p99Ms.toFixed(1)} ms${flag}  [load ${load()}]`);
        }
      }
      const med = (tool: string) => {
        const ms = runs.get(tool)!;
        return { rps: median(ms.map((m) => m.rps)), p50: median(ms.map((m) => m.p50Ms)), p99: median(ms.map((m) => m.p99Ms)), flagged: ms.filter((m) => m.clientBound).length, n: ms.length };
      };
      const ref = runs.has('wrk') ? med('wrk') : null;
      console.log(`${shape.name} (${shape.requests} @ ${shape.concurrency}) vs ${server.name}, medians:`);
      for (const tool of variants) {
        const m = med(tool);
        const vsWrk = ref && tool !== 'wrk' ? `  ratio to wrk ${(m.rps / ref.rps).toFixed(2)}, p50 ${pct(m.p50, ref.p50)}, p99 ${pct(m.p99, ref.p99)} vs wrk` : '';
        const flags = tool.startsWith('runner') || tool.startsWith('procs') ? `  client-bound in ${m.flagged}/${m.n}` : '';
        console.log(`  ${tool.padEnd(10)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50.toFixed(1)} ms  p99 ${m.p99.toFixed(1)} ms${vsWrk}${flags}`);
      }
    }
  } finally {
    child.kill('SIGTERM');
  }
}
console.log(`\nload average ${load()} at end`);
