import ora, { type Ora } from 'ora';
import type { LiveCounts } from './engine/load.ts';

export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

/**
 * Progress for one target and tier: an ora spinner when the stream is a terminal that reports its
 * width, plain lines otherwise (CI logs; ora writes escape codes without end when columns is 0).
 */
export interface Progress {
  start(label: string, total: number): void;
  watch(live: LiveCounts): void;
  finish(line: string, ok: boolean): void;
}

export function createProgress(stream: ProgressStream = process.stderr, plainIntervalMs = 5_000): Progress {
  const fancy = Boolean(stream.isTTY && stream.columns);
  let spinner: Ora | null = null;
  let timer: NodeJS.Timeout | null = null;
  let label = '';
  let total = 0;
  let tally: LiveCounts | null = null;
  let lastCount = 0;
  let lastTime = 0;

  const text = () => {
    if (!tally) return `${label}: starting`;
    const now = performance.now();
    const rate = now > lastTime ? ((tally.completed - lastCount) * 1000) / (now - lastTime) : 0;
    lastCount = tally.completed;
    lastTime = now;
    return `${label}: ${tally.completed}/${total} requests, ${rate.toFixed(0)} req/s now, ${tally.completed - tally.ok - tally.badBody - tally.errorCount} non-2xx, ${tally.badBody} bad body, ${tally.errorCount} errors`;
  };
  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  return {
    start(newLabel, newTotal) {
      label = newLabel;
      total = newTotal;
      tally = null;
      if (fancy) spinner = ora({ text: text(), stream: stream as NodeJS.WritableStream }).start();
      else stream.write(`${label}: started\n`);
    },
    watch(newTally) {
      tally = newTally;
      lastTime = performance.now();
      lastCount = 0;
      stopTimer();
      timer = setInterval(
        () => {
          if (spinner) spinner.text = text();
          else stream.write(`${text()}\n`);
        },
        fancy ? 250 : plainIntervalMs,
      );
      timer.unref();
    },
    finish(line, ok) {
      stopTimer();
      if (spinner) {
        if (ok) spinner.succeed(line);
        else spinner.fail(line);
        spinner = null;
      } else stream.write(`${line}\n`);
    },
  };
}
