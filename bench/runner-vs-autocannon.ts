/**
 * `npm run bench:runner`: is the runner's load engine the bottleneck? A plain node:http server
 * answering a ~35 KB JSON body runs in its own process; the runner's engine and autocannon, each
 * in its own process, drive it at the test4 and test5 shapes, alternating, REPS times each.
 * Prints medians and `ratio <runner/autocannon>` per shape. Target: ratio >= 0.9, p50 within 25 %.
 *   BENCH_REPS=3 BENCH_SHAPES=test4,test5 npm run bench:runner
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { HTTP_TIERS } from '../runner/scenarios.ts';

const REPS = Number(process.env['BENCH_REPS'] ?? 3);
const SHAPES = (process.env['BENCH_SHAPES'] ?? 'test4,test5').split(',').map((name) => {
  const tier = HTTP_TIERS.find((t) => t.name === name);
  if (!tier) throw new Error(`unknown shape ${name}`);
  return tier;
});
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

interface Measurement {
  tool: string;
  completed: number;
  wallMs: number;
  rps: number;
  p50Ms: number;
}

async function runWorker(tool: string, url: string, requests: number, connections: number): Promise<Measurement> {
  const child = spawn(process.execPath, ['--import', 'tsx', here('./load-worker.ts'), tool, url, String(requests), String(connections)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  const [code] = (await once(child, 'close')) as [number];
  if (code !== 0) throw new Error(`${tool} worker exited ${code}`);
  return JSON.parse(out) as Measurement;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const server = spawn(process.execPath, ['--import', 'tsx', here('./body-server.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const [line] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
  const { url, bytes } = JSON.parse(line) as { url: string; bytes: number };
  const target = `${url}/turkeys/Bourbon%20Red`;
  console.log(`server: node:http in its own process, ${bytes} byte JSON body; ${REPS} repetitions per tool and shape`);
  for (const shape of SHAPES) {
    const runs: Record<string, Measurement[]> = { runner: [], autocannon: [] };
    for (let rep = 0; rep < REPS; rep++) {
      for (const tool of rep % 2 === 0 ? ['runner', 'autocannon'] : ['autocannon', 'runner']) {
        const m = await runWorker(tool, target, shape.requests, shape.concurrency);
        if (m.completed !== shape.requests) throw new Error(`${tool} completed ${m.completed} of ${shape.requests}`);
        runs[tool]!.push(m);
        console.log(`  ${shape.name} rep ${rep + 1} ${tool.padEnd(10)} ${m.rps.toFixed(0).padStart(6)} req/s  p50 ${m.p50Ms.toFixed(1)} ms`);
      }
    }
    const r = { rps: median(runs['runner']!.map((m) => m.rps)), p50: median(runs['runner']!.map((m) => m.p50Ms)) };
    const a = { rps: median(runs['autocannon']!.map((m) => m.rps)), p50: median(runs['autocannon']!.map((m) => m.p50Ms)) };
    console.log(
      `${shape.name} (${shape.requests} @ ${shape.concurrency}): runner ${r.rps.toFixed(0)} req/s p50 ${r.p50.toFixed(1)} ms; ` +
        `autocannon ${a.rps.toFixed(0)} req/s p50 ${a.p50.toFixed(1)} ms (medians)`,
    );
    console.log(`ratio ${(r.rps / a.rps).toFixed(2)} (p50 ${r.p50 >= a.p50 ? '+' : ''}${(((r.p50 - a.p50) / a.p50) * 100).toFixed(0)} % vs autocannon)`);
  }
} finally {
  server.kill('SIGTERM');
}
