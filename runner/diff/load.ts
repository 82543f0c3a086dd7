import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import { READABLE_SCHEMA_VERSIONS, type RunSummary } from '../results/schema.ts';

/** A run given as its folder or its summary.json: the folder, the file, and the file's JSON. */
export async function readRunJson(runPath: string): Promise<{ dir: string; file: string; json: unknown }> {
  let dir = path.dirname(runPath);
  let file = runPath;
  try {
    if ((await stat(runPath)).isDirectory()) {
      dir = runPath;
      file = path.join(runPath, 'summary.json');
    }
  } catch (err) {
    throw new ConfigError(`Cannot read run ${runPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { cause: err });
  }
  try {
    return { dir, file, json: JSON.parse(await readFile(file, 'utf8')) as unknown };
  } catch (err) {
    const reason = err instanceof SyntaxError ? `not valid JSON (${err.message})` : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw new ConfigError(`Cannot read ${file}: ${reason}.`, { cause: err });
  }
}

/** The JSON of `file` as an API load run's summary, refused when it is another kind or schema version. */
export function apiRunSummary(json: unknown, file: string): RunSummary {
  const summary = json as Partial<RunSummary> | { kind: 'fanout' } | null;
  if (summary?.kind === 'fanout') throw new ConfigError(`${file} is a fan-out run; diff compares API load runs (test1..test5).`);
  if (summary?.kind !== 'api-load' || !Array.isArray(summary.results)) throw new ConfigError(`${file} is not a runner summary.json.`);
  if (!READABLE_SCHEMA_VERSIONS.includes(summary.schemaVersion as number)) {
    throw new ConfigError(`${file} has schemaVersion ${String(summary.schemaVersion)}; this runner reads versions ${READABLE_SCHEMA_VERSIONS.join(' and ')}.`);
  }
  return summary as RunSummary;
}

/** Reads a run's summary.json from the file or from the run folder. */
export async function loadRunSummary(runPath: string): Promise<RunSummary> {
  const { file, json } = await readRunJson(runPath);
  return apiRunSummary(json, file);
}
