import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { appendFileSync, openSync, closeSync, fsyncSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { DeliveryRecord } from '../../lib/fanout/emf.ts';
import type { TaskEvent } from '../../lib/fanout/receipts.ts';
import type { MutationResult } from './drive.ts';
import type { TaskWindow } from './report.ts';

/** The run's journal: one JSON object per line, appended as things happen. */
export const JOURNAL_FILE = 'journal.jsonl';
/** How often buffered entries are appended (and synced) to disk: a kill loses at most this much. */
export const JOURNAL_FLUSH_MS = 500;

export interface RunStartEntry {
  t: 'run';
  runId: string;
  stage: 'local' | 'aws';
  scenario: string;
  startedAt: string;
  host: string;
  pid: number;
  settings: Record<string, unknown>;
}
export interface FaultRecord {
  kind: 'stop-task' | 'scale' | 'poison';
  /** Epoch ms (runner clock) the fault was injected. */
  at: number;
  /** Mutations sent before it. */
  afterMutations: number;
  details: Record<string, unknown>;
  error?: string;
}

export type JournalEntry =
  | RunStartEntry
  | { t: 'mutation'; m: MutationResult }
  | { t: 'delivery'; d: DeliveryRecord }
  | { t: 'window'; w: TaskWindow }
  | { t: 'event'; e: TaskEvent }
  | { t: 'fault'; f: FaultRecord }
  /** Local stage: processes it started (so a test that kills the runner can clean up after it). */
  | { t: 'pids'; pids: number[] }
  | { t: 'end'; at: string; complete: boolean };

/**
 * Appends journal entries to `<run dir>/journal.jsonl`: buffered, written and fsynced every 500 ms and on
 * close, so a crash or kill of the runner loses at most the last half second. What was written is enough
 * to rebuild the run's files (`recoverFanoutRun`), marked incomplete.
 */
export class RunJournal {
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private failed: unknown;

  private constructor(readonly file: string) {}

  static async open(dir: string, start: Omit<RunStartEntry, 't' | 'host' | 'pid'>): Promise<RunJournal> {
    await mkdir(dir, { recursive: true });
    const journal = new RunJournal(path.join(dir, JOURNAL_FILE));
    // The first line is written synchronously: a run folder without it was never started.
    appendFileSync(journal.file, `${JSON.stringify({ t: 'run', host: hostname(), pid: process.pid, ...start } satisfies RunStartEntry)}\n`);
    journal.timer = setInterval(() => void journal.flush(), JOURNAL_FLUSH_MS);
    journal.timer.unref();
    return journal;
  }

  append(entry: JournalEntry): void {
    this.buffer.push(JSON.stringify(entry));
  }

  /** Appends what is buffered; resolves when it is on disk. A write error is rethrown by close(). */
  flush(): Promise<void> {
    if (this.buffer.length === 0) return this.writing;
    const lines = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.writing = this.writing.then(async () => {
      try {
        await appendFile(this.file, lines);
        const fd = openSync(this.file, 'r');
        try {
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } catch (error) {
        this.failed ??= error;
      }
    });
    return this.writing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    if (this.failed !== undefined) throw this.failed;
  }
}

export interface JournalContents {
  start: RunStartEntry;
  mutations: MutationResult[];
  deliveries: DeliveryRecord[];
  windows: TaskWindow[];
  events: TaskEvent[];
  faults: FaultRecord[];
  ended: boolean;
}

/** Reads a journal; a last line cut short by a kill is ignored. */
export async function readJournal(dir: string): Promise<JournalContents> {
  const text = await readFile(path.join(dir, JOURNAL_FILE), 'utf8');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let start: RunStartEntry | undefined;
  const mutations: MutationResult[] = [];
  const deliveries: DeliveryRecord[] = [];
  const windows = new Map<string, TaskWindow>();
  const events: TaskEvent[] = [];
  const faults: FaultRecord[] = [];
  let ended = false;
  for (const [i, line] of lines.entries()) {
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch (error) {
      if (i === lines.length - 1) break;
      throw new Error(`${JOURNAL_FILE} line ${i + 1} is not JSON: ${String(error)}`);
    }
    if (entry.t === 'run') start = entry;
    else if (entry.t === 'mutation') mutations.push(entry.m);
    else if (entry.t === 'delivery') deliveries.push(entry.d);
    else if (entry.t === 'window') windows.set(entry.w.taskId, entry.w);
    else if (entry.t === 'event') events.push(entry.e);
    else if (entry.t === 'fault') faults.push(entry.f);
    else if (entry.t === 'end') ended = true;
  }
  if (!start) throw new Error(`${path.join(dir, JOURNAL_FILE)} has no run line.`);
  return { start, mutations, deliveries, windows: [...windows.values()], events, faults, ended };
}
