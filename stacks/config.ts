import { ConfigError } from '../lib/errors.ts';

/**
 * Every stack option users compare over time, in one typed object. Each setting has a default, an
 * optional value in cdktf.json `context`, and an environment variable that wins over both:
 * default < cdktf.json context < environment. Values are validated once, with plain-English errors.
 */
export interface StackConfig {
  region: string;
  /** Prefix of every named resource, so two copies of the kit can live in one account. */
  namePrefix: string;
  logRetentionDays: number;
  lambdaMemoryMb: number;
  lambdaArchitecture: 'arm64' | 'x86_64';
  lambdaRuntime: string;
  apprunnerCpu: string;
  apprunnerMemory: string;
  apprunnerMaxConcurrency: number;
  apprunnerMinSize: number;
  apprunnerMaxSize: number;
  /** Image tag both services run; pushed by the documented build-and-push command. */
  imageTag: string;
  apiStageName: string;
  fargateTaskCount: number;
  fargateCpu: number;
  fargateMemoryMb: number;
  processorKind: 'lambda' | 'pipe';
  /** Receives before a consumer's message moves to its DLQ (the consumer's redrive policy). */
  dlqMaxReceiveCount: number;
  /** VPC of the fan-out consumers; '' (default): the account's default VPC. */
  vpcId: string;
  /** Subnets of the fan-out consumers; [] (default): the VPC's default-for-AZ subnets. */
  subnetIds: string[];
  /** Public IPs for the consumer tasks (true: they reach AWS APIs without a NAT gateway). */
  fargateAssignPublicIp: boolean;
  /**
   * Local stage only: most Lambda instances (execution environments) the local host runs at once.
   * Each one is a cold start; a request finding all busy at the limit waits (docs/cost.md).
   */
  localLambdaInstances: number;
}

type Source = 'default' | 'cdktf.json context' | 'environment';
/** Returns the parsed value, or what is expected in plain English. */
type Parser<T> = (raw: unknown) => { value: T } | { expected: string };

interface Setting<K extends keyof StackConfig> {
  env: string;
  default: StackConfig[K];
  parse: Parser<StackConfig[K]>;
}

/** A number from cdktf.json (a JSON number) or the environment (a numeric string); anything else is NaN. */
const toNumber = (raw: unknown): number => (typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN);

const int =
  (min: number, max: number): Parser<number> =>
  (raw) => {
    const value = toNumber(raw);
    return Number.isInteger(value) && value >= min && value <= max ? { value } : { expected: `an integer from ${min} to ${max}` };
  };

const oneOfNumbers =
  (values: readonly number[], description: string): Parser<number> =>
  (raw) => {
    const value = toNumber(raw);
    return values.includes(value) ? { value } : { expected: description };
  };

const oneOf =
  <T extends string>(values: readonly T[]): Parser<T> =>
  (raw) =>
    typeof raw === 'string' && (values as readonly string[]).includes(raw)
      ? { value: raw as T }
      : { expected: `one of ${values.map((v) => `"${v}"`).join(', ')}` };

const bool: Parser<boolean> = (raw) =>
  raw === true || raw === 'true' ? { value: true } : raw === false || raw === 'false' ? { value: false } : { expected: 'true or false' };

/** A list of ids from cdktf.json (a JSON array) or the environment (comma-separated); '' / [] is empty. */
const idList =
  (re: RegExp, description: string): Parser<string[]> =>
  (raw) => {
    const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter((s) => s !== '') : undefined;
    return items !== undefined && items.every((s) => typeof s === 'string' && re.test(s)) ? { value: items as string[] } : { expected: description };
  };

const pattern =
  (re: RegExp, description: string): Parser<string> =>
  (raw) =>
    typeof raw === 'string' && re.test(raw) ? { value: raw } : { expected: description };

// CloudWatch Logs accepts only these retention periods (days).
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

// App Runner instance sizes: CPU → the memory sizes it can be paired with.
const APPRUNNER_SIZES: Record<string, readonly string[]> = {
  '0.25 vCPU': ['0.5 GB', '1 GB'],
  '0.5 vCPU': ['1 GB'],
  '1 vCPU': ['2 GB', '3 GB', '4 GB'],
  '2 vCPU': ['4 GB', '6 GB'],
  '4 vCPU': ['8 GB', '10 GB', '12 GB'],
};

// Fargate task sizes: CPU units → allowed memory (MiB) range and step.
const FARGATE_SIZES: Record<number, { min: number; max: number; step: number }> = {
  256: { min: 512, max: 2048, step: 512 },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
};

export const SETTINGS: { [K in keyof StackConfig]: Setting<K> } = {
  region: { env: 'SST_REGION', default: 'us-east-1', parse: pattern(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region name such as "eu-west-1"') },
  namePrefix: { env: 'SST_NAME_PREFIX', default: 'sst', parse: pattern(/^[a-z][a-z0-9-]{1,11}$/, '2 to 12 lower-case letters, digits or dashes, starting with a letter') },
  logRetentionDays: {
    env: 'SST_LOG_RETENTION_DAYS',
    default: 14,
    parse: oneOfNumbers(LOG_RETENTION_DAYS, `one of the retention periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(', ')})`),
  },
  lambdaMemoryMb: { env: 'SST_LAMBDA_MEMORY_MB', default: 128, parse: int(128, 10_240) },
  lambdaArchitecture: { env: 'SST_LAMBDA_ARCHITECTURE', default: 'arm64', parse: oneOf(['arm64', 'x86_64'] as const) },
  lambdaRuntime: { env: 'SST_LAMBDA_RUNTIME', default: 'nodejs22.x', parse: pattern(/^nodejs(2[2-9]|[3-9]\d)\.x$/, 'a Node.js Lambda runtime from nodejs22.x up (nodejs20.x is deprecated)') },
  apprunnerCpu: { env: 'SST_APPRUNNER_CPU', default: '1 vCPU', parse: oneOf(Object.keys(APPRUNNER_SIZES)) },
  apprunnerMemory: { env: 'SST_APPRUNNER_MEMORY', default: '2 GB', parse: oneOf([...new Set(Object.values(APPRUNNER_SIZES).flat())]) },
  apprunnerMaxConcurrency: { env: 'SST_APPRUNNER_MAX_CONCURRENCY', default: 100, parse: int(1, 200) },
  apprunnerMinSize: { env: 'SST_APPRUNNER_MIN_SIZE', default: 1, parse: int(1, 25) },
  apprunnerMaxSize: { env: 'SST_APPRUNNER_MAX_SIZE', default: 25, parse: int(1, 25) },
  imageTag: { env: 'SST_IMAGE_TAG', default: 'latest', parse: pattern(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, 'a Docker image tag (letters, digits, "_", "." and "-")') },
  apiStageName: { env: 'SST_API_STAGE', default: 'bench', parse: pattern(/^[A-Za-z0-9_]{1,64}$/, 'an API Gateway stage name (letters, digits and "_")') },
  fargateTaskCount: { env: 'SST_FARGATE_TASK_COUNT', default: 20, parse: int(0, 500) },
  fargateCpu: { env: 'SST_FARGATE_CPU', default: 256, parse: oneOfNumbers(Object.keys(FARGATE_SIZES).map(Number), `one of ${Object.keys(FARGATE_SIZES).join(', ')} CPU units`) },
  fargateMemoryMb: { env: 'SST_FARGATE_MEMORY_MB', default: 512, parse: int(512, 30_720) },
  processorKind: { env: 'SST_PROCESSOR_KIND', default: 'lambda', parse: oneOf(['lambda', 'pipe'] as const) },
  dlqMaxReceiveCount: { env: 'SST_DLQ_MAX_RECEIVE_COUNT', default: 3, parse: int(1, 1000) },
  vpcId: { env: 'SST_VPC_ID', default: '', parse: (raw) => (raw === '' ? { value: '' } : pattern(/^vpc-[0-9a-f]{8,17}$/, 'a VPC id such as "vpc-0abc12345def67890", or "" for the default VPC')(raw)) },
  subnetIds: { env: 'SST_SUBNET_IDS', default: [], parse: idList(/^subnet-[0-9a-f]{8,17}$/, 'subnet ids such as "subnet-0abc12345def67890" (a JSON array, or comma-separated in the environment)') },
  fargateAssignPublicIp: { env: 'SST_FARGATE_ASSIGN_PUBLIC_IP', default: true, parse: bool },
  localLambdaInstances: { env: 'SST_LOCAL_LAMBDA_INSTANCES', default: 10, parse: int(1, 1000) },
};

export const DEFAULT_STACK_CONFIG: StackConfig = Object.fromEntries(
  Object.entries(SETTINGS).map(([key, setting]) => [key, setting.default]),
) as unknown as StackConfig;

/**
 * Resolves the stack options. `context` is the cdktf.json `context` object (or a test's), `env` the
 * process environment. Throws a ConfigError naming the setting, where the bad value came from, and
 * what is accepted.
 */
export function resolveStackConfig(
  context: Record<string, unknown> = {},
  env: Record<string, string | undefined> = process.env,
): StackConfig {
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(SETTINGS) as [keyof StackConfig, Setting<keyof StackConfig>][]) {
    const fromEnv = env[setting.env];
    const [raw, source]: [unknown, Source] =
      fromEnv !== undefined && fromEnv.trim() !== ''
        ? [fromEnv, 'environment']
        : context[key] !== undefined
          ? [context[key], 'cdktf.json context']
          : [setting.default, 'default'];
    const parsed = setting.parse(raw);
    if ('expected' in parsed) {
      const where = source === 'environment' ? `environment variable ${setting.env}` : `"${key}" in cdktf.json context`;
      throw new ConfigError(`Stack setting ${key} must be ${parsed.expected}; got ${JSON.stringify(raw)} from ${where}.`, { context: { key, source, raw } });
    }
    config[key] = parsed.value;
  }
  return checkCombinations(config as unknown as StackConfig);
}

function checkCombinations(config: StackConfig): StackConfig {
  const memories = APPRUNNER_SIZES[config.apprunnerCpu] ?? [];
  if (!memories.includes(config.apprunnerMemory)) {
    throw new ConfigError(
      `App Runner does not offer ${config.apprunnerCpu} with ${config.apprunnerMemory}; with ${config.apprunnerCpu} choose apprunnerMemory ${memories.join(' or ')}.`,
    );
  }
  if (config.subnetIds.length > 0 && config.vpcId === '') {
    throw new ConfigError('subnetIds are set but vpcId is not; set vpcId to the VPC those subnets are in (the consumers\' security group is created there).');
  }
  if (config.apprunnerMinSize > config.apprunnerMaxSize) {
    throw new ConfigError(`apprunnerMinSize (${config.apprunnerMinSize}) is larger than apprunnerMaxSize (${config.apprunnerMaxSize}).`);
  }
  const fargate = FARGATE_SIZES[config.fargateCpu]!;
  if (config.fargateMemoryMb < fargate.min || config.fargateMemoryMb > fargate.max || config.fargateMemoryMb % fargate.step !== 0) {
    throw new ConfigError(
      `Fargate does not offer ${config.fargateCpu} CPU units with ${config.fargateMemoryMb} MiB; choose fargateMemoryMb from ${fargate.min} to ${fargate.max} in steps of ${fargate.step}.`,
    );
  }
  return config;
}

export type ApiBackendsRecordedConfig = Pick<
  StackConfig,
  'region' | 'lambdaMemoryMb' | 'lambdaArchitecture' | 'lambdaRuntime' | 'apprunnerCpu' | 'apprunnerMemory' | 'apprunnerMaxConcurrency' | 'apprunnerMinSize' | 'apprunnerMaxSize' | 'imageTag'
>;

/** The settings the api-backends stack publishes in its `config` output (recorded with each result). */
export function apiBackendsRecordedConfig(config: StackConfig): ApiBackendsRecordedConfig {
  const { region, lambdaMemoryMb, lambdaArchitecture, lambdaRuntime, apprunnerCpu, apprunnerMemory, apprunnerMaxConcurrency, apprunnerMinSize, apprunnerMaxSize, imageTag } =
    config;
  return { region, lambdaMemoryMb, lambdaArchitecture, lambdaRuntime, apprunnerCpu, apprunnerMemory, apprunnerMaxConcurrency, apprunnerMinSize, apprunnerMaxSize, imageTag };
}

/** The settings the fanout stack publishes in its `config` output. */
export function fanoutRecordedConfig(config: StackConfig) {
  const { region, fargateTaskCount, fargateCpu, fargateMemoryMb, processorKind, lambdaMemoryMb, lambdaArchitecture, lambdaRuntime, dlqMaxReceiveCount, imageTag, vpcId, subnetIds, fargateAssignPublicIp } =
    config;
  return {
    region,
    fargateTaskCount,
    fargateCpu,
    fargateMemoryMb,
    processorKind,
    lambdaMemoryMb,
    lambdaArchitecture,
    lambdaRuntime,
    dlqMaxReceiveCount,
    imageTag,
    vpcId: vpcId === '' ? 'default' : vpcId,
    subnetIds: subnetIds.length === 0 ? 'default-for-az' : subnetIds.join(','),
    fargateAssignPublicIp,
  };
}
