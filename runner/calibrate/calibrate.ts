/**
 * `node runner calibrate`: how much load can this machine generate before the runner measures
 * itself? A delay server (calibration/delay-server.ts) runs in its own process and answers after a
 * known delay; for each worker count, searchCapacity finds the highest concurrency the runner drives
 * with p50 within the tolerance of the server's real latency (the p50 an unloaded client sees at
 * concurrency 1). The answer is printed, with a recommendation, and written to
 * `.sst/calibration/<machine-id>.json`; every later run records it (provenance.calibration).
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { startChild } from '../../local-stage/child-process.ts';
import { runLoad } from '../engine/load.ts';
import { gitCommit } from '../results/provenance.ts';
import { HTTP_TIERS } from '../scenarios.ts';
import { calibrationPath, describeMachine, writeCalibration, type Calibration, type WorkerCapacity } from './calibration-file.ts';
import { searchCapacity, type Probe } from './search.ts';

export interface CalibrateOptions {
  delayMs: number;
  bodyKb: number;
  /** Worker counts to calibrate (each 1..cores). */
  workers: number[];
  tolerance: number;
  startConcurrency: number;
  maxConcurrency: number;
  /** Probes per worker count, at most. */
  maxProbes: number;
  /** Seconds per worker count, at most (no probe starts after it). */
  budgetSeconds: number;
  /** Each connection sends this many measured requests per probe (after one warm-up request each). */
  rounds: number;
  timeoutMs: number;
  /** Where to write; the machine's default file when absent. */
  out?: string;
}

export const CALIBRATE_DEFAULTS = {
  delayMs: 60,
  bodyKb: 35,
  tolerance: 0.1,
  startConcurrency: 16,
  maxConcurrency: 2_048,
  maxProbes: 12,
  budgetSeconds: 120,
  rounds: 5,
  timeoutMs: 10_000,
} as const;

/** One measurement at a concurrency and worker count. */
export interface DriveRequest {
  url: string;
  requests: number;
  concurrency: number;
  workers: number;
  warmup: number;
  timeoutMs: number;
  signal: AbortSignal;
}
export type Driver = ((req: DriveRequest) => Promise<Probe>) & { description: string; maxWorkers: number };

/** The runner's own engine (runLoad): worker threads, connections split between them, histograms merged. */
export const runLoadDriver: Driver = Object.assign(
  async (req: DriveRequest): Promise<Probe> => {
    const target = new URL(req.url);
    const r = await runLoad({
      origin: target.origin,
      paths: [target.pathname],
      requests: req.requests,
      concurrency: req.concurrency,
      workers: req.workers,
      timeoutMs: req.timeoutMs,
      warmup: req.warmup,
      signal: req.signal,
    });
    const h = r.tally.histogram;
    return {
      concurrency: req.concurrency,
      requests: req.requests,
      completed: r.tally.completed,
      // An aborted probe (its time bound) never passes.
      ok: r.aborted ? Math.min(r.tally.ok, req.requests - 1) : r.tally.ok,
      p50Ms: h.totalCount > 0 ? h.getValueAtPercentile(50) / 1000 : Number.POSITIVE_INFINITY,
      p99Ms: h.totalCount > 0 ? h.getValueAtPercentile(99) / 1000 : Number.POSITIVE_INFINITY,
      throughputRps: r.wallMs > 0 ? r.tally.completed / (r.wallMs / 1000) : 0,
      wallMs: r.wallMs,
    };
  },
  { description: 'runLoad (runner/engine/load.ts), worker threads', maxWorkers: os.availableParallelism?.() ?? os.cpus().length },
);

const DELAY_SERVER = fileURLToPath(new URL('./delay-server.ts', import.meta.url));

/** Starts the delay server in its own process; resolves to its URL and a stop function. */
export async function startDelayServerProcess(delayMs: number, bodyKb: number, log: (line: string) => void) {
  const child = await startChild(process.execPath, ['--import', 'tsx', DELAY_SERVER, '--delay-ms', String(delayMs), '--body-kb', String(bodyKb)], {
    name: 'delay-server',
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'], NODE_OPTIONS: '' },
    isReady: (line) => line['event'] === 'ready' && typeof line['url'] === 'string',
    startTimeoutMs: 30_000,
    log,
  });
  return { url: `${child.ready['url'] as string}/calibrate`, bodyBytes: child.ready['bodyBytes'] as number, pid: child.child.pid!, stop: () => child.stop() };
}

export interface CalibrateIo {
  log: (line: string) => void;
  signal: AbortSignal;
  driver?: Driver;
  now?: () => Date;
}

/** Probe size: every connection sends `rounds` measured requests, 200..50,000 in all. */
export const probeRequests = (concurrency: number, rounds: number) => Math.min(50_000, Math.max(200, concurrency * rounds));

export async function calibrate(options: CalibrateOptions, io: CalibrateIo): Promise<{ calibration: Calibration; file: string }> {
  const driver = io.driver ?? runLoadDriver;
  const now = io.now ?? (() => new Date());
  const machine = describeMachine();
  const before = os.loadavg();
  const server = await startDelayServerProcess(options.delayMs, options.bodyKb, io.log);
  try {
    io.log(`delay server: own process (pid ${server.pid}), ${options.delayMs} ms, ${server.bodyBytes} byte JSON body`);
    const drive = (concurrency: number, workers: number, requests: number) =>
      driver({
        url: server.url,
        requests,
        concurrency,
        workers,
        warmup: concurrency,
        timeoutMs: options.timeoutMs,
        // A probe never runs longer than its requests could take at the timeout, nor than 2 minutes.
        signal: anySignal(io.signal, AbortSignal.timeout(Math.min(120_000, options.timeoutMs * (options.rounds + 2)))),
      });
    const baselineRequests = 40;
    const baseline = await drive(1, 1, baselineRequests);
    if (baseline.ok < baselineRequests) throw new Error(`the delay server answered only ${baseline.ok} of ${baselineRequests} baseline requests`);
    io.log(`server's real latency (p50 at concurrency 1, ${baselineRequests} requests): ${baseline.p50Ms.toFixed(2)} ms`);

    const results: WorkerCapacity[] = [];
    for (const workers of options.workers) {
      if (io.signal.aborted) break;
      if (workers > driver.maxWorkers) {
        io.log(`workers ${workers}: skipped, ${driver.description} drives at most ${driver.maxWorkers}`);
        results.push({ workers, maxConcurrency: 0, throughputRps: 0, bestThroughputRps: 0, p50Ms: null, limitedBy: 'unsupported', firstFailure: null, probes: [] });
        continue;
      }
      const search = await searchCapacity(
        async (c) => {
          const p = await drive(c, workers, probeRequests(c, options.rounds));
          io.log(`  workers ${workers} concurrency ${String(c).padStart(5)}: p50 ${p.p50Ms.toFixed(1)} ms, p99 ${p.p99Ms.toFixed(1)} ms, ${p.throughputRps.toFixed(0)} req/s, ${p.ok}/${p.requests} ok`);
          return p;
        },
        {
          baselineMs: baseline.p50Ms,
          tolerance: options.tolerance,
          start: Math.min(options.startConcurrency, options.maxConcurrency),
          maxConcurrency: options.maxConcurrency,
          maxProbes: options.maxProbes,
          resolution: 1.1,
          deadline: performance.now() + options.budgetSeconds * 1000,
        },
      );
      const passing = search.probes.filter((p) => p.pass);
      results.push({
        workers,
        maxConcurrency: search.best?.concurrency ?? 0,
        throughputRps: round(search.best?.throughputRps ?? 0),
        bestThroughputRps: round(Math.max(0, ...passing.map((p) => p.throughputRps))),
        p50Ms: search.best ? round(search.best.p50Ms) : null,
        limitedBy: search.limitedBy,
        firstFailure: search.firstFailure ? { concurrency: search.firstFailure.concurrency, reason: search.firstFailure.reason ?? '' } : null,
        probes: search.probes.map((p) => ({
          concurrency: p.concurrency,
          requests: p.requests,
          p50Ms: round(p.p50Ms),
          p99Ms: round(p.p99Ms),
          throughputRps: round(p.throughputRps),
          ok: p.ok,
          pass: p.pass,
        })),
      });
    }
    const calibration: Calibration = {
      kind: 'calibration',
      version: 1,
      machine,
      createdAt: now().toISOString(),
      runnerCommit: gitCommit(),
      loadAverage: { before: before.map(round), after: os.loadavg().map(round) },
      server: { delayMs: options.delayMs, bodyBytes: server.bodyBytes, baselineP50Ms: round(baseline.p50Ms), baselineRequests },
      tolerance: options.tolerance,
      engine: driver.description,
      results,
      recommendation: recommend(results, options.tolerance, options.delayMs),
    };
    const file = options.out ?? calibrationPath(machine.machineId);
    if (!io.signal.aborted) writeCalibration(file, calibration);
    return { calibration, file };
  } finally {
    await server.stop();
  }
}

/** The worker count that drives the most connections within tolerance (fewest workers on a tie), and what it means for the tiers. */
export function recommend(results: readonly WorkerCapacity[], tolerance: number, delayMs: number): Calibration['recommendation'] {
  const usable = results.filter((r) => r.limitedBy !== 'unsupported');
  const best = usable.reduce<WorkerCapacity | null>((a, r) => (!a || r.maxConcurrency > a.maxConcurrency ? r : a), null);
  if (!best || best.maxConcurrency === 0) {
    return { workers: best?.workers ?? 1, maxConcurrency: 0, text: `Even the lowest concurrency tried inflated p50 by more than ${pct(tolerance)}: this machine is too busy to measure; retry on a quiet machine.` };
  }
  const fit = HTTP_TIERS.filter((t) => t.concurrency <= best.maxConcurrency).map((t) => t.name);
  const over = HTTP_TIERS.filter((t) => t.concurrency > best.maxConcurrency).map((t) => `${t.name} (${t.concurrency})`);
  const ceiling = best.limitedBy === 'max-concurrency' ? ' (the search ceiling; it may go higher)' : '';
  const text =
    `Use ${best.workers} worker${best.workers === 1 ? '' : 's'}: up to ${best.maxConcurrency} connections${ceiling} at ${best.throughputRps.toFixed(0)} req/s this machine ` +
    `measures a ${delayMs} ms backend within ${pct(tolerance)}. ` +
    (over.length === 0
      ? `Every tier (${fit.join(', ')}) fits.`
      : `${fit.length ? `${fit.join(', ')} fit; ` : ''}${over.join(', ')} exceed${over.length === 1 ? 's' : ''} it: their p50 would be partly the runner's own queueing; ` +
        'use --load-from lambda --load-workers N, or a machine with more cores.');
  return { workers: best.workers, maxConcurrency: best.maxConcurrency, text };
}

export function formatCalibration(c: Calibration, file: string): string {
  const lines = [
    `calibration of machine ${c.machine.machineId} (${c.machine.cpus.count} x ${c.machine.cpus.model}), ${c.engine}`,
    `server: ${c.server.delayMs} ms delay, ${c.server.bodyBytes} byte body, real latency (p50 at concurrency 1) ${c.server.baselineP50Ms} ms; tolerance ${pct(c.tolerance)}`,
    `load average before ${c.loadAverage.before.join(' ')}, after ${c.loadAverage.after.join(' ')}`,
    '',
    'workers  max concurrency  req/s    p50 ms  limited by       first failure',
    ...c.results.map(
      (r) =>
        `${String(r.workers).padStart(7)}  ${String(r.maxConcurrency).padStart(15)}  ${r.throughputRps.toFixed(0).padStart(6)}  ${(r.p50Ms?.toFixed(1) ?? '-').padStart(7)}  ${r.limitedBy.padEnd(15)}  ${
          r.firstFailure ? `${r.firstFailure.concurrency}: ${r.firstFailure.reason}` : '-'
        }`,
    ),
    '',
    `recommendation: ${c.recommendation.text}`,
    `written to ${file}`,
  ];
  return lines.join('\n');
}

/** AbortSignal.any (Node 20.3+), which @types/node 20.9 does not declare. */
function anySignal(...signals: AbortSignal[]): AbortSignal {
  return (AbortSignal as unknown as { any(s: AbortSignal[]): AbortSignal }).any(signals);
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const round = (x: number) => Math.round(x * 100) / 100;
