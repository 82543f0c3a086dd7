/**
 * Names shared by the fan-out parts: the stack (IAM scoping, task definition env), the stream
 * processor, the consumer and the local stage all read them from here.
 */

/**
 * Every consumer queue (and its DLQ) is named `<namePrefix>-fanout-task-<task id>[-dlq]`, its DLQ alarm
 * `<namePrefix>-fanout-task-dlq-<task id>`: IAM scopes each copy of the kit to its own names, so two copies
 * in one account (different `namePrefix`) cannot touch each other's queues.
 */
export const CONSUMER_QUEUE_INFIX = 'fanout-task-';
export const DLQ_SUFFIX = '-dlq';
/** The stack's default `namePrefix`, also the consumer's when FANOUT_NAME_PREFIX is not set. */
export const DEFAULT_NAME_PREFIX = 'sst';

/** Start of every consumer queue name of one copy of the kit. */
export function consumerQueuePrefix(namePrefix: string): string {
  return `${namePrefix}-${CONSUMER_QUEUE_INFIX}`;
}
/** Start of every consumer DLQ alarm name of one copy of the kit. */
export function consumerAlarmPrefix(namePrefix: string): string {
  return `${namePrefix}-${CONSUMER_QUEUE_INFIX}dlq-`;
}

/** Tags every consumer queue and alarm carries, so orphans can be found and their owner checked. */
export const OWNER_TAGS = {
  /** Who created it: an ECS task ARN on AWS, `local:<host>:<pid>` elsewhere. */
  owner: 'sst:owner',
  /** The namePrefix of the copy of the kit. */
  namePrefix: 'sst:name-prefix',
  /** The consumer task id. */
  taskId: 'sst:task-id',
} as const;

/** The single state record every task mirrors. */
export const DEFAULT_STATE_ID = 'current';
export const FANOUT_TABLE_NAME = 'fanout-state';

/** SNS message attributes set by the stream processor (String/Number data types). */
export const MESSAGE_ATTRIBUTES = {
  version: 'version',
  writtenAt: 'writtenAt',
  stateId: 'stateId',
} as const;

/** Environment variables of the stream processor Lambda. */
export const PROCESSOR_ENV = {
  topicArn: 'TOPIC_ARN',
} as const;

/** Environment variables of the consumer container (Fargate task). */
export const CONSUMER_ENV = {
  /** SNS topic the task subscribes its queue to (required). */
  topicArn: 'FANOUT_TOPIC_ARN',
  /** DynamoDB table holding the state record (required). */
  tableName: 'FANOUT_TABLE_NAME',
  /** Id of the state record (default `current`). */
  stateId: 'FANOUT_STATE_ID',
  /** Task id used in queue names, metrics and logs (default: random). Letters, digits, `-`, `_`; at most 40. */
  taskId: 'FANOUT_TASK_ID',
  /** HTTP port for /health and /metrics (default 8080; 0 picks a free port, reported on stdout). */
  port: 'PORT',
  /** Receives before a message moves to the DLQ (default 3). */
  maxReceives: 'FANOUT_MAX_RECEIVES',
  /** Queue visibility timeout in seconds: how long a failed message waits before its next receive (default 10). */
  visibilityTimeoutS: 'FANOUT_VISIBILITY_TIMEOUT_S',
  /** Long-poll wait in seconds, 1-20 (default 20). */
  waitTimeS: 'FANOUT_WAIT_TIME_S',
  /** Messages per receive, 1-10 (default 10). */
  batchSize: 'FANOUT_BATCH_SIZE',
  /** Messages waiting in the queue above which the task reports itself unhealthy (default 100). */
  maxBacklog: 'FANOUT_MAX_BACKLOG',
  /** How often the task reads its queue and DLQ depth, in ms (default 5000). */
  checkIntervalMs: 'FANOUT_CHECK_INTERVAL_MS',
  /** `true` (default) creates a CloudWatch alarm on DLQ depth > 0 at start and deletes it at stop. */
  createDlqAlarm: 'FANOUT_CREATE_DLQ_ALARM',
  /** CloudWatch namespace of the Embedded Metric Format lines (default `ServerlessSpeedTest/Fanout`). */
  metricsNamespace: 'FANOUT_METRICS_NAMESPACE',
  /** SNS topic the DLQ alarm notifies (optional). */
  alarmTopicArn: 'FANOUT_ALARM_TOPIC_ARN',
  /** The stack's namePrefix: queue and alarm names start with `<prefix>-fanout-task-` (default `sst`). */
  namePrefix: 'FANOUT_NAME_PREFIX',
  /** Owner tag of the task's queues and alarm (default: the ECS task ARN from the task metadata endpoint, else `local:<host>:<pid>`). */
  owner: 'FANOUT_OWNER',
  /** SQS queue URL the task sends its receipts to (ready, each delivery, DLQ depth, stopping); unset: none sent. */
  receiptsQueueUrl: 'FANOUT_RECEIPTS_QUEUE_URL',
} as const;

export const DEFAULT_METRICS_NAMESPACE = 'ServerlessSpeedTest/Fanout';

/** The requirement under test: every task applies every change within this many ms of the write. */
export const DELIVERY_REQUIREMENT_MS = 2000;

/** Queue, DLQ and DLQ alarm names of one task. */
export function consumerQueueNames(namePrefix: string, taskId: string): { queue: string; dlq: string; alarm: string } {
  const prefix = consumerQueuePrefix(namePrefix);
  return { queue: `${prefix}${taskId}`, dlq: `${prefix}${taskId}${DLQ_SUFFIX}`, alarm: `${consumerAlarmPrefix(namePrefix)}${taskId}` };
}

export const TASK_ID_PATTERN = /^[A-Za-z0-9_-]{1,40}$/;
