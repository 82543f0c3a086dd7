import { ConfigError } from '../errors.ts';
import { TARGETS, type Target } from './targets.ts';

/**
 * The outputs of the `api-backends` stack, as `cdktf output --outputs-file FILE` writes them:
 * `{ "api-backends": { "directUrl": "...", ... } }`. The local stage prints the same shape (plus
 * `dynamodbEndpoint`), so the runner reads a deployed stage and the local stage the same way.
 */
export const API_BACKENDS_STACK = 'api-backends';

export const TARGET_OUTPUT_KEYS: Record<Target, string> = {
  direct: 'directUrl',
  sfn: 'sfnUrl',
  lambda: 'lambdaUrl',
  apprunner: 'apprunnerUrl',
};

export interface ApiBackendsOutputs {
  directUrl: string;
  sfnUrl: string;
  lambdaUrl: string;
  apprunnerUrl: string;
  tableName: string;
  region: string;
  /** Only on the local stage: the DynamoDB-compatible endpoint. */
  dynamodbEndpoint?: string;
  /** Backend settings worth recording with each result (memory, architecture, instance size, ...). */
  config?: Record<string, string | number | boolean>;
}

export type OutputsFile = Record<string, Record<string, unknown>>;

/** Base URL per target, from validated outputs. */
export function targetUrls(outputs: ApiBackendsOutputs): Record<Target, string> {
  return Object.fromEntries(TARGETS.map((t) => [t, outputs[TARGET_OUTPUT_KEYS[t] as keyof ApiBackendsOutputs] as string])) as Record<
    Target,
    string
  >;
}

/**
 * Validates the api-backends section of an outputs file. `needed` names the targets the caller will
 * use; a missing URL for any of them is an error that names the key and the file.
 */
export function parseApiBackendsOutputs(file: unknown, source: string, needed: readonly Target[] = TARGETS): ApiBackendsOutputs {
  if (typeof file !== 'object' || file === null) {
    throw new ConfigError(`${source} is not a JSON object of stack outputs.`, { context: { source } });
  }
  const section = (file as OutputsFile)[API_BACKENDS_STACK];
  if (typeof section !== 'object' || section === null) {
    throw new ConfigError(`${source} has no "${API_BACKENDS_STACK}" stack outputs; run \`cdktf output ${API_BACKENDS_STACK} --outputs-file ${source}\`.`, {
      context: { source },
    });
  }
  const str = (key: string, required: boolean): string | undefined => {
    const value = section[key];
    if (value === undefined || value === null || value === '') {
      if (required) throw new ConfigError(`${source} lacks output "${API_BACKENDS_STACK}.${key}".`, { context: { source, key } });
      return undefined;
    }
    if (typeof value !== 'string') throw new ConfigError(`${source}: output "${key}" must be a string.`, { context: { source, key } });
    return value;
  };
  for (const target of needed) {
    const url = str(TARGET_OUTPUT_KEYS[target], true)!;
    if (!/^https?:\/\//.test(url)) {
      throw new ConfigError(`${source}: output "${TARGET_OUTPUT_KEYS[target]}" is not an http(s) URL: ${url}`, { context: { source } });
    }
  }
  const config = section['config'];
  const dynamodbEndpoint = str('dynamodbEndpoint', false);
  return {
    directUrl: str('directUrl', false) ?? '',
    sfnUrl: str('sfnUrl', false) ?? '',
    lambdaUrl: str('lambdaUrl', false) ?? '',
    apprunnerUrl: str('apprunnerUrl', false) ?? '',
    tableName: str('tableName', true)!,
    region: str('region', true)!,
    ...(dynamodbEndpoint ? { dynamodbEndpoint } : {}),
    ...(typeof config === 'object' && config !== null ? { config: config as Record<string, string | number | boolean> } : {}),
  };
}
