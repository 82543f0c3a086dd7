import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { classifyError, Tally } from './tally.ts';

/**
 * The load engine: sends `requests` GETs to one origin over a keep-alive undici Pool of
 * `concurrency` connections, in one of two modes:
 * - closed loop (default): `concurrency` workers, each sends its next request when its previous one
 *   ends; latency is measured from the actual send;
 * - open loop (`rate`): request i is due at start + i / rate, whatever the backend's speed, and its
 *   latency is measured from that intended send time, so stalls are not hidden (coordinated omission).
 * Latency is taken from a monotonic clock at the end of the response body.
 */
export interface LoadOptions {
  origin: string;
  /** Request paths (with query), used in order, cycling. */
  paths: readonly string[];
  requests: number;
  concurrency: number;
  /** Requests per second; open loop when set. */
  rate?: number;
  timeoutMs: number;
  /** Unrecorded requests sent first over the same pool. */
  warmup?: number;
  /** Stops sending; requests in flight are abandoned. */
  signal?: AbortSignal;
  /** Receives the live tally once at start, for progress reporting (read it, do not write it). */
  onStart?: (tally: Tally) => void;
}

export interface LoadResult {
  tally: Tally;
  /** Wall clock (UTC) of the first send and the last completion. */
  startedAt: Date;
  endedAt: Date;
  /** First send to last completion, from the monotonic clock. */
  wallMs: number;
  aborted: boolean;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { origin, paths, requests, concurrency, timeoutMs, signal } = options;
  if (paths.length === 0) throw new RangeError('paths must not be empty');
  const pool = new Pool(origin, {
    connections: concurrency,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connectTimeout: Math.min(timeoutMs, 10_000),
    keepAliveTimeout: 30_000,
  });
  const send: Send = (path, startMs, tally) => sendOne(pool, origin, path, startMs, tally);
  // Requests in flight then end through their onError (counted as errors, never recorded: the tier is dropped).
  const onAbort = () => void pool.destroy();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (options.warmup && options.warmup > 0) {
      await closedLoop(send, paths, options.warmup, Math.min(concurrency, options.warmup), new Tally(), signal);
    }
    const tally = new Tally();
    options.onStart?.(tally);
    const startedAt = new Date();
    const t0 = performance.now();
    if (options.rate !== undefined) await openLoop(send, paths, requests, options.rate, tally, signal);
    else await closedLoop(send, paths, requests, concurrency, tally, signal);
    const wallMs = performance.now() - t0;
    return { tally, startedAt, endedAt: new Date(startedAt.getTime() + wallMs), wallMs, aborted: signal?.aborted ?? false };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!pool.destroyed) await pool.close().catch(() => pool.destroy());
  }
}

type Send = (path: string, startMs: number, tally: Tally) => Promise<void>;

/**
 * One GET through the pool's raw dispatch interface: no Readable stream or promise per response
 * body, which is most of a request's client-side cost with `request()` (see bench/runner-vs-autocannon.ts).
 */
function sendOne(pool: Pool, origin: string, path: string, startMs: number, tally: Tally): Promise<void> {
  return new Promise<void>((resolve) => {
    let status = 0;
    let bytes = 0;
    pool.dispatch(
      { origin, path, method: 'GET' },
      {
        // undici's Pool validates the classic handler shape (onConnect ... onComplete).
        onConnect() {},
        onHeaders(statusCode: number) {
          status = statusCode;
          return true;
        },
        onData(chunk: Buffer) {
          bytes += chunk.length;
          return true;
        },
        onComplete() {
          tally.recordResponse(status, performance.now() - startMs, bytes);
          resolve();
        },
        onError(err: Error) {
          tally.recordError(classifyError(err), err.message);
          resolve();
        },
      } as Dispatcher.DispatchHandler,
    );
  });
}

async function closedLoop(send: Send, paths: readonly string[], requests: number, concurrency: number, tally: Tally, signal?: AbortSignal) {
  let sent = 0;
  const worker = async () => {
    while (sent < requests && !signal?.aborted) {
      const i = sent++;
      await send(paths[i % paths.length]!, performance.now(), tally);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

async function openLoop(send: Send, paths: readonly string[], requests: number, rate: number, tally: Tally, signal?: AbortSignal) {
  const intervalMs = 1000 / rate;
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  let next = 0;
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
      while (next < requests && start + next * intervalMs <= now) {
        inFlight.push(send(paths[next % paths.length]!, start + next * intervalMs, tally));
        next++;
      }
      if (next >= requests) return done();
      timer = setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
}
