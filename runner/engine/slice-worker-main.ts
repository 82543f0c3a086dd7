/**
 * Runs one slice in a worker thread (see workers.ts for the protocol):
 * in: workerData = SliceSpec; messages `{ type: 'start', startAtEpochMs }`, `{ type: 'abort' }`;
 * out: `{ type: 'ready' }` after warm-up, `{ type: 'progress', counts }` every 250 ms,
 *      `{ type: 'done', result }` or `{ type: 'error', message }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSlice, type SliceSpec } from './slice.ts';
import type { Tally } from './tally.ts';

const port = parentPort!;
const spec = workerData as SliceSpec;
const abort = new AbortController();
let startResolve: ((at: number) => void) | undefined;
const started = new Promise<number>((resolve) => (startResolve = resolve));
port.on('message', (m: { type: string; startAtEpochMs?: number }) => {
  if (m.type === 'start') startResolve!(m.startAtEpochMs!);
  else if (m.type === 'abort') {
    abort.abort();
    startResolve!(0);
  }
});

let live: Tally | undefined;
const timer = setInterval(() => {
  if (live) port.postMessage({ type: 'progress', counts: { completed: live.completed, ok: live.ok, errorCount: live.errorCount, badBody: live.badBody } });
}, 250);
try {
  const result = await runSlice(spec, abort.signal, {
    ready: () => {
      port.postMessage({ type: 'ready' });
      return started;
    },
    onStart: (tally) => (live = tally),
  });
  port.postMessage({ type: 'done', result });
} catch (err) {
  port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
} finally {
  clearInterval(timer);
  port.close();
}
