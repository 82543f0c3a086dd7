import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { WorkerHealth } from './health.ts';
import type { ResponseCheck } from './response-check.ts';
import { mergeSliceResults, runSlice, type LoadPlan } from './slice.ts';
import type { Tally } from './tally.ts';
import { runSlicesInWorkers } from './workers.ts';

/**
 * The load engine: sends `requests` GETs to one origin over keep-alive undici Pools with
 * `concurrency` connections in all, in one of two modes:
 * - closed loop (default): `concurrency` connections, each sends its next request when its previous
 *   one ends; latency is measured from the actual send;
 * - open loop (`rate`): request i is due at start + i / rate, whatever the backend's speed, and its
 *   latency is measured from that intended send time, so stalls are not hidden (coordinated omission).
 * With `workers` > 1 the plan is split into slices (slice.ts), each run in its own worker thread,
 * started at one instant and merged exactly. Latency is taken at the end of the response body.
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
  /** Unrecorded requests sent first over the same pool(s). */
  warmup?: number;
  /** What a 2xx body must be; default: not checked. */
  responseCheck?: ResponseCheck;
  /** Worker threads; 1 (default) runs in this thread. Capped at `concurrency`. */
  workers?: number;
  /** Stops sending; requests in flight are abandoned. */
  signal?: AbortSignal;
  /** Receives live counts once at start, for progress reporting (read them, do not write them). */
  onStart?: (live: LiveCounts) => void;
}

/** What progress reporting reads while a load runs. */
export interface LiveCounts {
  readonly completed: number;
  readonly ok: number;
  readonly errorCount: number;
  readonly badBody: number;
}

export interface LoadResult {
  tally: Tally;
  /** Wall clock (UTC) of the first send and the last completion. */
  startedAt: Date;
  endedAt: Date;
  /** First send to last completion. */
  wallMs: number;
  aborted: boolean;
  /** Workers (threads) the load ran on (1 when absent), and each one's health (guard.ts judges them). */
  workers?: number;
  health?: WorkerHealth[];
}

/**
 * The default worker count: one thread per 50 connections, at most one per CPU the process may use
 * (test1, test2: 1; test3..test5 on 2 cores: 2). Measured in docs/runner.md ("Workers").
 */
export function defaultWorkers(concurrency: number, cpus: number = availableParallelism()): number {
  return Math.max(1, Math.min(cpus, Math.ceil(concurrency / 50)));
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.paths.length === 0) throw new RangeError('paths must not be empty');
  const plan: LoadPlan = {
    origin: options.origin,
    paths: [...options.paths],
    requests: options.requests,
    concurrency: options.concurrency,
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    timeoutMs: options.timeoutMs,
    warmup: options.warmup ?? 0,
    responseCheck: options.responseCheck ?? { kind: 'none' },
  };
  const workers = Math.max(1, Math.min(options.workers ?? 1, options.concurrency, Math.max(1, options.requests)));
  if (workers === 1) {
    const result = await runSlice({ plan, sliceIndex: 0, sliceCount: 1, startAtEpochMs: 0 }, options.signal, {
      // Start right after the warm-up.
      ready: async () => performance.timeOrigin + performance.now(),
      ...(options.onStart ? { onStart: options.onStart } : {}),
    });
    return { ...mergeSliceResults([result]), workers };
  }
  const results = await runSlicesInWorkers(plan, workers, options.signal, options.onStart);
  return { ...mergeSliceResults(results), workers };
}
