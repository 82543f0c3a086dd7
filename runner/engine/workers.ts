import { Worker } from 'node:worker_threads';
import { KitError } from '../../lib/errors.ts';
import type { LiveCounts } from './load.ts';
import type { LoadPlan, SliceResult, SliceSpec } from './slice.ts';

/** After every worker reported ready (warm-up done), the start instant is this far ahead. */
const START_MARGIN_MS = 30;

export class LoadWorkerError extends KitError {
  constructor(message: string, context: Record<string, unknown>) {
    super('LOAD_WORKER_FAILED', message, { context });
  }
}

/**
 * Runs `plan` as `count` slices in worker threads: each worker warms up its own connections and
 * reports ready; when all are ready they are released at one wall-clock instant (a start barrier);
 * each returns its SliceResult (compressed histograms), which the caller merges exactly.
 */
export async function runSlicesInWorkers(plan: LoadPlan, count: number, signal?: AbortSignal, onStart?: (live: LiveCounts) => void): Promise<SliceResult[]> {
  const counts = Array.from({ length: count }, () => ({ completed: 0, ok: 0, errorCount: 0, badBody: 0 }));
  const sum = (key: keyof LiveCounts) => counts.reduce((s, c) => s + c[key], 0);
  const live: LiveCounts = {
    get completed() {
      return sum('completed');
    },
    get ok() {
      return sum('ok');
    },
    get errorCount() {
      return sum('errorCount');
    },
    get badBody() {
      return sum('badBody');
    },
  };
  const workers: Worker[] = [];
  let ready = 0;
  const onAbort = () => workers.forEach((w) => w.postMessage({ type: 'abort' }));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const results = await Promise.all(
      Array.from({ length: count }, (_, sliceIndex) => {
        const spec: SliceSpec = { plan, sliceIndex, sliceCount: count, startAtEpochMs: 0 };
        const worker = new Worker(new URL('./slice-worker.js', import.meta.url), { workerData: spec });
        workers.push(worker);
        return new Promise<SliceResult>((resolve, reject) => {
          let settled = false;
          worker.on('message', (m: { type: string; counts?: LiveCounts; result?: SliceResult; message?: string }) => {
            if (m.type === 'ready') {
              if (++ready === count) {
                const startAtEpochMs = Date.now() + START_MARGIN_MS;
                onStart?.(live);
                workers.forEach((w) => w.postMessage({ type: 'start', startAtEpochMs }));
              }
            } else if (m.type === 'progress') Object.assign(counts[sliceIndex]!, m.counts);
            else if (m.type === 'done') {
              settled = true;
              resolve(m.result!);
            } else if (m.type === 'error') {
              settled = true;
              reject(new LoadWorkerError(`Load worker ${sliceIndex + 1} of ${count} failed: ${m.message}`, { sliceIndex }));
            }
          });
          worker.once('error', (err) => {
            settled = true;
            reject(new LoadWorkerError(`Load worker ${sliceIndex + 1} of ${count} crashed: ${err.message}`, { sliceIndex }));
          });
          worker.once('exit', (code) => {
            if (!settled) reject(new LoadWorkerError(`Load worker ${sliceIndex + 1} of ${count} exited (code ${code}) without a result.`, { sliceIndex, code }));
          });
        });
      }),
    );
    return results;
  } catch (err) {
    onAbort();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await Promise.all(workers.map((w) => w.terminate().catch(() => undefined)));
  }
}
