import { randomBytes } from 'node:crypto';
import { intEnv, optionalEnv, requireEnv } from '../lib/env.ts';
import { ConfigError } from '../lib/errors.ts';
import { hostname } from 'node:os';
import { CONSUMER_ENV, DEFAULT_METRICS_NAMESPACE, DEFAULT_NAME_PREFIX, DEFAULT_STATE_ID, TASK_ID_PATTERN } from '../lib/fanout/constants.ts';

export interface ConsumerConfig {
  topicArn: string;
  tableName: string;
  stateId: string;
  taskId: string;
  port: number;
  maxReceives: number;
  visibilityTimeoutS: number;
  waitTimeS: number;
  batchSize: number;
  maxBacklog: number;
  checkIntervalMs: number;
  createDlqAlarm: boolean;
  metricsNamespace: string;
  alarmTopicArn: string | undefined;
  /** The stack's namePrefix (queue and alarm names start with `<namePrefix>-fanout-task-`). */
  namePrefix: string;
  /** Owner tag value; undefined: resolved at start (ECS task ARN, else `local:<host>:<pid>`). */
  owner: string | undefined;
  /** Queue the task sends its receipts to; undefined: none sent (the local stage reads stdout). */
  receiptsQueueUrl: string | undefined;
  /** Hard deadline for the SIGTERM drain, below Fargate's default 30 s stop timeout. */
  drainTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/** The settings a task uses when its environment does not set them (the runner records them with each run). */
export const CONSUMER_DEFAULTS = {
  port: 8080,
  maxReceives: 3,
  visibilityTimeoutS: 10,
  waitTimeS: 20,
  batchSize: 10,
  maxBacklog: 100,
  checkIntervalMs: 5000,
} as const;

/** Reads and validates the consumer's environment once, at start. */
export function readConsumerConfig(env: Env = process.env): ConsumerConfig {
  const taskId = optionalEnv(CONSUMER_ENV.taskId, randomBytes(6).toString('hex'), env);
  if (!TASK_ID_PATTERN.test(taskId)) {
    throw new ConfigError(`${CONSUMER_ENV.taskId} must be 1-40 letters, digits, "-" or "_" (it is part of queue names); got "${taskId}".`);
  }
  const alarm = optionalEnv(CONSUMER_ENV.createDlqAlarm, 'true', env);
  if (alarm !== 'true' && alarm !== 'false') {
    throw new ConfigError(`${CONSUMER_ENV.createDlqAlarm} must be "true" or "false"; got "${alarm}".`);
  }
  const alarmTopicArn = optionalEnv(CONSUMER_ENV.alarmTopicArn, '', env);
  const namePrefix = optionalEnv(CONSUMER_ENV.namePrefix, DEFAULT_NAME_PREFIX, env);
  if (!/^[a-z][a-z0-9-]{1,11}$/.test(namePrefix)) {
    throw new ConfigError(`${CONSUMER_ENV.namePrefix} must be the stack's namePrefix (2 to 12 lower-case letters, digits or dashes); got "${namePrefix}".`);
  }
  const owner = optionalEnv(CONSUMER_ENV.owner, '', env);
  const receiptsQueueUrl = optionalEnv(CONSUMER_ENV.receiptsQueueUrl, '', env);
  return {
    topicArn: requireEnv(CONSUMER_ENV.topicArn, env),
    tableName: requireEnv(CONSUMER_ENV.tableName, env),
    stateId: optionalEnv(CONSUMER_ENV.stateId, DEFAULT_STATE_ID, env),
    taskId,
    port: intEnv(CONSUMER_ENV.port, CONSUMER_DEFAULTS.port, { min: 0, max: 65535 }, env),
    maxReceives: intEnv(CONSUMER_ENV.maxReceives, CONSUMER_DEFAULTS.maxReceives, { min: 1, max: 1000 }, env),
    visibilityTimeoutS: intEnv(CONSUMER_ENV.visibilityTimeoutS, CONSUMER_DEFAULTS.visibilityTimeoutS, { min: 0, max: 43200 }, env),
    // At least 1 s: with 0 (short polling) the poll loop would ask an empty queue again without pause.
    waitTimeS: intEnv(CONSUMER_ENV.waitTimeS, CONSUMER_DEFAULTS.waitTimeS, { min: 1, max: 20 }, env),
    batchSize: intEnv(CONSUMER_ENV.batchSize, CONSUMER_DEFAULTS.batchSize, { min: 1, max: 10 }, env),
    maxBacklog: intEnv(CONSUMER_ENV.maxBacklog, CONSUMER_DEFAULTS.maxBacklog, { min: 1, max: 1_000_000 }, env),
    checkIntervalMs: intEnv(CONSUMER_ENV.checkIntervalMs, CONSUMER_DEFAULTS.checkIntervalMs, { min: 100, max: 600_000 }, env),
    createDlqAlarm: alarm === 'true',
    metricsNamespace: optionalEnv(CONSUMER_ENV.metricsNamespace, DEFAULT_METRICS_NAMESPACE, env),
    alarmTopicArn: alarmTopicArn === '' ? undefined : alarmTopicArn,
    namePrefix,
    owner: owner === '' ? undefined : owner,
    receiptsQueueUrl: receiptsQueueUrl === '' ? undefined : receiptsQueueUrl,
    drainTimeoutMs: 25_000,
  };
}

/** The owner tag when none is configured: `local:<host>:<pid>` (on ECS the task ARN is read at start instead). */
export function localOwner(): string {
  return `local:${hostname()}:${process.pid}`;
}
