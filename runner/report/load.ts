import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { ConfigError } from '../../lib/errors.ts';
import { apiRunSummary, readRunJson } from '../diff/load.ts';
import { FANOUT_SCHEMA_VERSION, type FanoutSummary } from '../fanout/files.ts';
import type { RunSummary } from '../results/schema.ts';

/** One row of a fan-out run's deliveries.csv, as the report uses it (times in ms). */
export interface DeliveryPoint {
  version: number;
  taskId: string;
  /** Epoch ms the mutation was sent. */
  sentAt: number;
  outcome: string;
  endToEndMs: number | null;
  withinRequirement: boolean;
}

export type LoadedRun =
  | { kind: 'api-load'; dir: string; summary: RunSummary }
  | { kind: 'fanout'; dir: string; summary: FanoutSummary; deliveries: DeliveryPoint[] | null };

/** Reads a run (its folder or its summary.json): an API load run or a fan-out run with its deliveries.csv. */
export async function loadRun(runPath: string): Promise<LoadedRun> {
  const { dir, file, json } = await readRunJson(runPath);
  const head = json as { kind?: unknown; schemaVersion?: unknown } | null;
  if (head?.kind === 'fanout') {
    if (head.schemaVersion !== FANOUT_SCHEMA_VERSION) {
      throw new ConfigError(`${file} has fan-out schemaVersion ${String(head.schemaVersion)}; this report reads version ${FANOUT_SCHEMA_VERSION}.`);
    }
    return { kind: 'fanout', dir, summary: json as FanoutSummary, deliveries: await loadDeliveries(path.join(dir, 'deliveries.csv')) };
  }
  return { kind: 'api-load', dir, summary: apiRunSummary(json, file) };
}

/** deliveries.csv of a fan-out run; null when the file is absent. */
export async function loadDeliveries(file: string): Promise<DeliveryPoint[] | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ConfigError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { cause: err });
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (err) {
    throw new ConfigError(`Cannot read ${file}: not valid CSV (${(err as Error).message}).`, { cause: err });
  }
  return records.map((r) => ({
    version: Number(r['version']),
    taskId: r['task_id'] ?? '',
    sentAt: Date.parse(r['sent_at'] ?? ''),
    outcome: r['outcome'] ?? '',
    endToEndMs: r['end_to_end_ms'] === '' || r['end_to_end_ms'] === undefined ? null : Number(r['end_to_end_ms']),
    withinRequirement: r['within_requirement'] === 'yes',
  }));
}
