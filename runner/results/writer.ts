import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { summaryCsv } from './csv.ts';
import type { RunSummary } from './schema.ts';

/** `yyyymmddThhmmssZ` in UTC. */
export function compactUtc(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** `<UTC time>-<scenario>`; a comma list becomes `test1+test2` so the id is a plain folder name. */
export function makeRunId(date: Date, scenario: string): string {
  return `${compactUtc(date)}-${scenario.replace(/,/g, '+').replace(/[^A-Za-z0-9+_.-]/g, '_')}`;
}

export function runDir(resultsDir: string, stage: string, runId: string): string {
  return path.join(resultsDir, stage, runId);
}

/**
 * Writes summary.json and summary.csv for the run so far. Each file is written to a temporary name
 * and renamed, so an interrupted write never leaves a half file.
 */
export async function writeRunFiles(dir: string, summary: RunSummary): Promise<void> {
  await mkdir(dir, { recursive: true });
  await atomicWrite(path.join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  await atomicWrite(path.join(dir, 'summary.csv'), summaryCsv(summary.results));
}

/** Writes `file` through a temporary name and a rename: readers see the old file or the whole new one. */
export async function atomicWrite(file: string, content: string): Promise<void> {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, content, 'utf8');
  await rename(tmp, file);
}
