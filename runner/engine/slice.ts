/**
 * One slice of a load plan: the unit of work of a worker thread (runner/engine/workers.ts), of a
 * Lambda load worker, or of the whole load when there is one worker. Spec and result are plain JSON.
 *
 * Slice k of N sends the plan's requests k, k+N, k+2N, ... over its share of the connections:
 * - closed loop: its connections each send the slice's next request when their previous one ends;
 * - open loop (`rate`): request i is due at start + i / rate (the plan's schedule, whatever the
 *   slice), and its latency runs from that intended time, so N slices together keep the plan's rate.
 * All slices start at `startAtEpochMs` (wall clock); warm-up requests are sent before that instant.
 *
 * Keep this file importable from an esbuild bundle: no worker_threads, no tsx-only features.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { startHealthProbe, type WorkerHealth } from './health.ts';
import { compileCheck, type BodyChecker, type ResponseCheck } from './response-check.ts';
import { classifyError, Tally, type SerializedTally } from './tally.ts';

export interface LoadPlan {
  origin: string;
  /** Request paths (with query); request i uses paths[i % paths.length]. */
  paths: string[];
  requests: number;
  /** Connections in all (split between slices). */
  concurrency: number;
  /** Requests per second in all; open loop when set. */
  rate?: number;
  timeoutMs: number;
  /** Unrecorded requests sent first (split between slices), over the same connections. */
  warmup?: number;
  responseCheck: ResponseCheck;
}

export interface SliceSpec {
  plan: LoadPlan;
  sliceIndex: number;
  sliceCount: number;
  /** Wall-clock instant (epoch ms) at which every slice starts its measured requests. */
  startAtEpochMs: number;
}

export interface SliceResult {
  sliceIndex: number;
  /** Requests and connections of this slice. */
  requests: number;
  connections: number;
  tally: SerializedTally;
  /** ISO 8601 UTC of this slice's first send and last completion. */
  startedAt: string;
  endedAt: string;
  /** The same as epoch ms with sub-ms precision, for merging. */
  startedAtEpochMs: number;
  endedAtEpochMs: number;
  wallMs: number;
  health: WorkerHealth;
  aborted: boolean;
}

/** Optional in-process hooks (not part of the JSON spec). */
export interface SliceControl {
  /** Called after warm-up; resolves to the start instant to use instead of spec.startAtEpochMs. */
  ready?: () => Promise<number>;
  /** Receives the live tally once at start (read it, do not write it). */
  onStart?: (tally: Tally) => void;
}

/** Requests and connections of slice k of n. */
export function sliceShare(total: number, k: number, n: number): number {
  return Math.floor(total / n) + (k < total % n ? 1 : 0);
}

const epochNow = () => performance.timeOrigin + performance.now();

export async function runSlice(spec: SliceSpec, signal?: AbortSignal, control: SliceControl = {}): Promise<SliceResult> {
  const { plan, sliceIndex, sliceCount } = spec;
  if (plan.paths.length === 0) throw new RangeError('paths must not be empty');
  if (!(sliceCount >= 1 && sliceIndex >= 0 && sliceIndex < sliceCount)) throw new RangeError(`slice ${sliceIndex} of ${sliceCount}`);
  const requests = sliceShare(plan.requests, sliceIndex, sliceCount);
  const connections = Math.max(1, sliceShare(plan.concurrency, sliceIndex, sliceCount));
  const pool = new Pool(plan.origin, {
    connections,
    pipelining: 1,
    headersTimeout: plan.timeoutMs,
    bodyTimeout: plan.timeoutMs,
    connectTimeout: Math.min(plan.timeoutMs, 10_000),
    keepAliveTimeout: 30_000,
  });
  const primeMs = await primeEngine();
  const checker = compileCheck(plan.responseCheck);
  const send: Send = (path, startMs, tally) => sendOne(pool, plan.origin, path, startMs, tally, checker);
  // Requests in flight then end through their onError (the slice is marked aborted).
  const onAbort = () => void pool.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const warmup = sliceShare(plan.warmup ?? 0, sliceIndex, sliceCount);
    if (warmup > 0) {
      const warm = Array.from({ length: warmup }, (_, k) => sliceIndex + k * sliceCount);
      await closedLoop(send, plan.paths, warm, Math.min(connections, warmup), new Tally(), signal);
    }
    const startAt = control.ready ? await control.ready() : spec.startAtEpochMs;
    const wait = startAt - epochNow();
    if (wait > 0 && !signal?.aborted) await sleep(wait, signal);
    const tally = new Tally();
    control.onStart?.(tally);
    const startLagMs = Math.max(0, epochNow() - startAt);
    const probe = startHealthProbe(sliceIndex, startLagMs);
    const startedAtEpochMs = epochNow();
    const t0 = performance.now();
    const mine = Array.from({ length: requests }, (_, k) => sliceIndex + k * sliceCount);
    if (plan.rate !== undefined) {
      // The schedule is anchored at the agreed instant, not at this slice's (possibly late) wake-up.
      const anchor = startAt - performance.timeOrigin;
      await openLoop(send, plan.paths, mine, plan.rate, anchor, tally, signal);
    } else await closedLoop(send, plan.paths, mine, connections, tally, signal);
    const wallMs = performance.now() - t0;
    const health = { ...probe.stop(), primeMs };
    const endedAtEpochMs = startedAtEpochMs + wallMs;
    return {
      sliceIndex,
      requests,
      connections,
      tally: tally.toJSON(),
      startedAt: new Date(startedAtEpochMs).toISOString(),
      endedAt: new Date(endedAtEpochMs).toISOString(),
      startedAtEpochMs,
      endedAtEpochMs,
      wallMs,
      health,
      aborted: signal?.aborted ?? false,
    };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!pool.destroyed) await pool.close().catch(() => pool.destroy());
  }
}

/** Requests of the engine's self warm-up (see primeEngine). */
export const PRIME_REQUESTS = 3000;
let primed: Promise<number> | null = null;

/**
 * Once per thread, before the first measurement: runs the engine's own request path (undici
 * dispatch, llhttp, tally, body check) PRIME_REQUESTS times against a loopback server in this thread,
 * so the measured requests run JIT-compiled code. Measured on the 60 ms delay server at test3's shape
 * (docs/runner.md, "Workers"): a fresh thread's first 1,000 requests had p50 86 ms, the third
 * thousand 63 ms (wrk: 63 ms); that is the difference between a fresh worker and a warm one.
 * Resolves to the time it took (ms), 0 when already primed.
 */
export function primeEngine(requests = PRIME_REQUESTS): Promise<number> {
  if (primed) return primed.then(() => 0);
  primed = (async () => {
    const t0 = performance.now();
    const breed = 'Prime';
    const count = 100;
    const body = Buffer.from(
      JSON.stringify({ breed, count, turkeys: Array.from({ length: count }, (_, i) => ({ id: `tky-${i}`, name: `Turkey ${i} of the warm-up flock`, weightKg: 9.5, sex: 'hen', color: 'bronze', hatchDate: '2024-04-01', farm: 'Warm-up Farm, Some County, far away' })) }),
    );
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), 'x-sst-cold-start': '0', 'x-sst-instance-id': 'prime' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const pool = new Pool(origin, { connections: 20, pipelining: 1 });
    const checker = compileCheck({ kind: 'breed-page', expected: { '/turkeys/Prime': { breed, count } }, fullParseEvery: 32 });
    try {
      const indices = Array.from({ length: requests }, (_, i) => i);
      await closedLoop((path, startMs, tally) => sendOne(pool, origin, path, startMs, tally, checker), ['/turkeys/Prime'], indices, 20, new Tally());
    } finally {
      await pool.close().catch(() => pool.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    return Math.round(performance.now() - t0);
  })();
  return primed;
}

export interface MergedLoad {
  tally: Tally;
  startedAt: Date;
  endedAt: Date;
  /** First send of any slice to last completion of any slice. */
  wallMs: number;
  health: WorkerHealth[];
  aborted: boolean;
}

/** Merges slice results exactly: histograms added, counts summed; the wall time spans all slices. */
export function mergeSliceResults(results: readonly SliceResult[]): MergedLoad {
  if (results.length === 0) throw new RangeError('no slice results to merge');
  const tally = new Tally();
  for (const r of results) tally.mergeSerialized(r.tally);
  const start = Math.min(...results.map((r) => r.startedAtEpochMs));
  const end = Math.max(...results.map((r) => r.endedAtEpochMs));
  return {
    tally,
    startedAt: new Date(start),
    endedAt: new Date(end),
    wallMs: end - start,
    health: [...results].sort((a, b) => a.sliceIndex - b.sliceIndex).map((r) => r.health),
    aborted: results.some((r) => r.aborted),
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

type Send = (path: string, startMs: number, tally: Tally) => Promise<void>;

const X = 0x78;
const X_UPPER = 0x58;

/**
 * One GET through the pool's raw dispatch interface: no Readable stream or promise per response
 * body, which is most of a request's client-side cost with `request()` (see bench/runner-vs-wrk.ts).
 * 2xx bodies are kept as chunk references until the check has run.
 */
function sendOne(pool: Pool, origin: string, path: string, startMs: number, tally: Tally, checker: BodyChecker): Promise<void> {
  return new Promise<void>((resolve) => {
    let status = 0;
    let bytes = 0;
    let chunks: Buffer[] | null = null;
    let coldStart: string | undefined;
    let instanceId: string | undefined;
    pool.dispatch(
      { origin, path, method: 'GET' },
      {
        // undici's Pool validates the classic handler shape (onConnect ... onComplete).
        onConnect() {},
        onHeaders(statusCode: number, rawHeaders: Buffer[]) {
          status = statusCode;
          if (checker.active && statusCode >= 200 && statusCode < 300) chunks = [];
          for (let i = 0; i < rawHeaders.length; i += 2) {
            const name = rawHeaders[i]!;
            if (name.length > 6 && (name[0] === X || name[0] === X_UPPER) && name[5] === 0x2d) {
              const lower = name.toString('latin1').toLowerCase();
              if (!lower.startsWith('x-sst-')) continue;
              const value = rawHeaders[i + 1]!.toString('latin1').trim();
              if (lower === 'x-sst-cold-start') coldStart = value;
              else if (lower === 'x-sst-instance-id') instanceId = value;
              else if (value !== '') {
                const n = Number(value);
                if (Number.isFinite(n)) tally.addHeaderValue(lower.slice(6), n);
              }
            }
          }
          return true;
        },
        onData(chunk: Buffer) {
          bytes += chunk.length;
          if (chunks !== null) chunks.push(chunk);
          return true;
        },
        onComplete() {
          const latencyMs = performance.now() - startMs;
          let bad = null;
          if (chunks !== null) {
            const n = ++tally.bodyChecked;
            bad = checker.verdict(path, chunks, n % checker.fullParseEvery === 1 || checker.fullParseEvery === 1);
            if (checker.fullyParsed) tally.bodyFullyParsed++;
          }
          const us = tally.recordResponse(status, latencyMs, bytes, bad);
          tally.recordStart(coldStart, instanceId, us);
          resolve();
        },
        onError(err: Error) {
          tally.recordError(classifyError(err), err.message, performance.now() - startMs);
          resolve();
        },
      } as Dispatcher.DispatchHandler,
    );
  });
}

async function closedLoop(send: Send, paths: readonly string[], indices: readonly number[], concurrency: number, tally: Tally, signal?: AbortSignal) {
  let next = 0;
  const worker = async () => {
    while (next < indices.length && !signal?.aborted) {
      const i = indices[next++]!;
      await send(paths[i % paths.length]!, performance.now(), tally);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, indices.length)) }, worker));
}

async function openLoop(
  send: Send,
  paths: readonly string[],
  indices: readonly number[],
  rate: number,
  anchorMs: number,
  tally: Tally,
  signal?: AbortSignal,
) {
  const intervalMs = 1000 / rate;
  const inFlight: Promise<void>[] = [];
  let next = 0;
  const due = (k: number) => anchorMs + indices[k]! * intervalMs;
  await new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    // At a low rate the next send can be minutes away: an abort must not wait for it.
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    const tick = () => {
      if (signal?.aborted) return done();
      const now = performance.now();
      while (next < indices.length && due(next) <= now) {
        const i = indices[next]!;
        inFlight.push(send(paths[i % paths.length]!, due(next), tally));
        next++;
      }
      if (next >= indices.length) return done();
      timer = setTimeout(tick, Math.max(0, due(next) - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
}
