import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import { SCHEMA_VERSION, type RunSummary } from '../results/schema.ts';

/** Reads a run's summary.json from the file or from the run folder. */
export async function loadRunSummary(runPath: string): Promise<RunSummary> {
  let file = runPath;
  try {
    if ((await stat(runPath)).isDirectory()) file = path.join(runPath, 'summary.json');
  } catch (err) {
    throw new ConfigError(`Cannot read run ${runPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const reason = err instanceof SyntaxError ? `not valid JSON (${err.message})` : ((err as NodeJS.ErrnoException).code ?? (err as Error).message);
    throw new ConfigError(`Cannot read ${file}: ${reason}.`, { cause: err });
  }
  const summary = json as Partial<RunSummary>;
  if (summary?.kind !== 'api-load' || !Array.isArray(summary.results)) throw new ConfigError(`${file} is not a runner summary.json.`);
  if (summary.schemaVersion !== SCHEMA_VERSION) {
    throw new ConfigError(`${file} has schemaVersion ${String(summary.schemaVersion)}; this runner reads version ${SCHEMA_VERSION}.`);
  }
  return summary as RunSummary;
}
