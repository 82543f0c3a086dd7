import { readFile } from 'node:fs/promises';
import { ConfigError } from '../lib/errors.ts';
import { parseApiBackendsOutputs, type ApiBackendsOutputs } from '../lib/stage/outputs.ts';
import type { Target } from '../lib/stage/targets.ts';
import type { StageName } from './results/schema.ts';

/** A stage the runner can load: its outputs, and how to release it. */
export interface OpenedStage {
  name: StageName;
  outputs: ApiBackendsOutputs;
  stop(): Promise<void>;
}

/** Loaded lazily: `diff` and `--stage aws` need none of the local stage's dependencies. */
export async function startLocalStageInProcess(log: (line: string) => void) {
  const { startLocalStage } = await import('../local-stage/index.ts');
  return startLocalStage({ log });
}

async function spawnLocalStage(log: (line: string) => void) {
  const { spawnLocalStage: spawn } = await import('../local-stage/spawn.ts');
  return spawn({ log });
}

export interface OpenStageOptions {
  stage: StageName;
  outputsFile?: string;
  targets: readonly Target[];
  log: (line: string) => void;
}

/**
 * `local`: starts the local stage in a child process (so it does not share the runner's event loop).
 * `aws`: reads the endpoints from a `cdktf output --outputs-file` JSON file.
 */
export async function openStage(options: OpenStageOptions): Promise<OpenedStage> {
  if (options.stage === 'aws') {
    if (!options.outputsFile) throw new ConfigError('--stage aws needs --outputs FILE (the JSON written by `cdktf output --outputs-file FILE`).');
    const outputs = await readOutputsFile(options.outputsFile, options.targets);
    if (outputs.config?.['stage'] === 'local') {
      // `node runner stage` prints outputs of this shape too; its figures must never be filed as AWS figures.
      throw new ConfigError(`${options.outputsFile} describes the local stage (config.stage is "local"), not a deployment; run without --stage aws.`);
    }
    return { name: 'aws', outputs, stop: async () => {} };
  }
  const local = await spawnLocalStage(options.log);
  return { name: 'local', outputs: local.outputs, stop: () => local.stop() };
}

export async function readOutputsFile(file: string, targets: readonly Target[]): Promise<ApiBackendsOutputs> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read outputs file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`Outputs file ${file} is not valid JSON: ${(err as Error).message}.`, { cause: err });
  }
  return parseApiBackendsOutputs(json, file, targets);
}
