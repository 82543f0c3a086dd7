import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CONSUMER_ENV, DEFAULT_STATE_ID, FANOUT_TABLE_NAME, PROCESSOR_ENV } from '../../lib/fanout/constants.ts';
import { fanoutStateCreateTableInput } from '../../lib/fanout/table.ts';
import { FANOUT_RESOLVERS } from '../../lib/fanout/templates.ts';
import { fileURLToPath } from 'node:url';
import { buildBundles } from '../../scripts/build-bundles.ts';
import { BUNDLE_OUTFILES } from '../../scripts/bundles.ts';
import { repoPath } from '../bundles.ts';
import { startChild } from '../child-process.ts';
import { startLocalDynamo } from '../dynamodb.ts';
import { LOCAL_REGION, localAwsEnv, localClientConfig } from '../local-aws.ts';
import { ConsumerFleet } from './consumer-fleet.ts';
import { LocalDynamoDBResolver } from './dynamodb-resolver.ts';
import { LocalEventSourceMapping, type EventSourceMappingOptions } from './event-source-mapping.ts';
import { buildFanoutSchema, readTemplate, startGraphqlServer } from './graphql-server.ts';
import { startLambdaProcess } from './lambda-process.ts';
import { LocalStream } from './local-stream.ts';
import { localPipeTarget } from './pipe.ts';
import { CleanupStack } from '../cleanup-stack.ts';

export const STREAM_PROCESSOR_BUNDLE = BUNDLE_OUTFILES.streamProcessor;
export const CONSUMER_BUNDLE = BUNDLE_OUTFILES.fargateConsumer;
const MESSAGING_MAIN = fileURLToPath(new URL('./messaging-main.ts', import.meta.url));
export const FANOUT_TOPIC_NAME = 'fanout-state-changes';
/** The namePrefix of the local stage's consumer queues (`local-fanout-task-<id>`). */
export const LOCAL_NAME_PREFIX = 'local';
export const PROCESSOR_KINDS = ['lambda', 'pipe'] as const;
export type ProcessorKind = (typeof PROCESSOR_KINDS)[number];
/** The SDK's Node 20 deprecation notice, printed once per process, would fill the log with 20 copies. */
const QUIET_SDK = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

export interface FanoutStageOptions {
  /** Consumer tasks to start and wait for (0: start them later through `consumers`). */
  tasks: number;
  log?: (line: string) => void;
  /** Extra consumer environment (e.g. a short visibility timeout for fault tests). */
  consumerEnv?: Partial<Record<(typeof CONSUMER_ENV)[keyof typeof CONSUMER_ENV], string>>;
  eventSourceMapping?: EventSourceMappingOptions;
  /** SIGTERM grace before SIGKILL for consumers (Fargate's default stop timeout is 30 s). */
  stopTimeoutMs?: number;
  /** Rebuild the two bundles before starting (default true), so a stale dist/ is never measured. */
  build?: boolean;
  /** Stream processor: the Lambda bundle (default) or the EventBridge Pipe with the stack's input template. */
  processor?: ProcessorKind;
  /** Also create the receipts queue and have every consumer send its receipts there, as on AWS. */
  receipts?: boolean;
}

export interface FanoutStage {
  graphqlUrl: string;
  tableName: string;
  stateId: string;
  topicArn: string;
  processor: ProcessorKind;
  namePrefix: string;
  /** The receipts queue (with `receipts: true`). */
  receiptsQueueUrl: string | undefined;
  endpoints: { dynamodb: string; sqs: string; sns: string };
  /** SDK clients pointed at the local services (for tests and the runner). */
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient; sns: SNSClient };
  consumers: ConsumerFleet;
  stream: LocalStream;
  eventSourceMapping: LocalEventSourceMapping;
  /** Process ids this stage started that are still running (stream processor + consumers). */
  pids(): number[];
  stop(): Promise<void>;
}

/**
 * The fan-out benchmark on loopback: dynalite with the state table, a local AppSync-like GraphQL
 * endpoint running the shared schema and resolver VTL, a local stream fed by the resolver's writes,
 * an event source mapping invoking the stream processor's bundle in its own process, fauxqs for SNS
 * and SQS, and `tasks` consumer processes from the consumer bundle. `stop()` undoes all of it, also
 * after a partial start. There is no CloudWatch locally: consumers run with the DLQ alarm disabled
 * and report DLQ depth on /health and /metrics instead.
 */
export async function startFanoutStage(options: FanoutStageOptions): Promise<FanoutStage> {
  const log = options.log ?? (() => {});
  const cleanups = new CleanupStack('fan-out stage');
  const { stop } = cleanups;
  try {
    if (options.build ?? true) await buildBundles([STREAM_PROCESSOR_BUNDLE, CONSUMER_BUNDLE]);

    const dynamo = await startLocalDynamo();
    cleanups.push(dynamo.close);
    const tableName = FANOUT_TABLE_NAME;
    const tableInput = fanoutStateCreateTableInput(tableName);
    await dynamo.client.send(new CreateTableCommand(tableInput));

    const fauxqs = await startChild(process.execPath, ['--import', 'tsx', MESSAGING_MAIN], {
      name: 'fauxqs',
      env: { PATH: process.env['PATH'] ?? '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      isReady: (line) => line['event'] === 'ready',
      log,
    });
    cleanups.push(() => fauxqs.stop(3000));
    const messaging = String(fauxqs.ready['endpoint']);
    const sns = new SNSClient(localClientConfig(messaging));
    const sqs = new SQSClient(localClientConfig(messaging));
    cleanups.push(async () => {
      sns.destroy();
      sqs.destroy();
    });
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: FANOUT_TOPIC_NAME }));
    const topicArn = TopicArn!;
    const receiptsQueueUrl = options.receipts
      ? (await sqs.send(new CreateQueueCommand({ QueueName: `${LOCAL_NAME_PREFIX}-fanout-receipts` }))).QueueUrl!
      : undefined;

    // dynalite drops StreamSpecification; the local stream honours the view type the stack deploys.
    const stream = new LocalStream(
      `arn:aws:dynamodb:${LOCAL_REGION}:000000000000:table/${tableName}/stream/local`,
      LOCAL_REGION,
      tableInput.StreamSpecification?.StreamViewType ?? 'NEW_IMAGE',
    );
    const resolvers = new Map(
      FANOUT_RESOLVERS.map((spec) => [
        `${spec.typeName}.${spec.fieldName}`,
        new LocalDynamoDBResolver({
          client: dynamo.client,
          tableName,
          stream,
          requestTemplate: readTemplate(spec.requestTemplateFile),
          responseTemplate: readTemplate(spec.responseTemplateFile),
        }),
      ]),
    );
    const graphql = await startGraphqlServer(buildFanoutSchema(resolvers));
    cleanups.push(graphql.close);

    const processorKind = options.processor ?? 'lambda';
    let invoke: (event: Parameters<ReturnType<typeof localPipeTarget>>[0]) => Promise<unknown>;
    let processorPids: () => number[] = () => [];
    let mappingDefaults: EventSourceMappingOptions = {};
    if (processorKind === 'pipe') {
      invoke = localPipeTarget({ sns, topicArn, pipeName: 'local-fanout-stream-to-topic', sourceArn: stream.streamArn });
      // The stack's Pipe: batch size 1, 10 retries.
      mappingDefaults = { batchSize: 1, maximumRetryAttempts: 10 };
    } else {
      const processor = await startLambdaProcess({
        name: 'stream-processor',
        bundle: repoPath(STREAM_PROCESSOR_BUNDLE),
        env: { ...localAwsEnv({ sns: messaging }), ...QUIET_SDK, [PROCESSOR_ENV.topicArn]: topicArn },
        log,
      });
      cleanups.push(processor.stop);
      invoke = (event) => processor.invoke(event);
      processorPids = () => [processor.pid];
    }
    const eventSourceMapping = new LocalEventSourceMapping(stream, invoke, { log, ...mappingDefaults, ...options.eventSourceMapping });
    eventSourceMapping.start();
    cleanups.push(() => eventSourceMapping.stop());

    const consumers = new ConsumerFleet({
      bundle: repoPath(CONSUMER_BUNDLE),
      env: {
        ...localAwsEnv({ dynamodb: dynamo.endpoint, sns: messaging, sqs: messaging }),
        ...QUIET_SDK,
        [CONSUMER_ENV.topicArn]: topicArn,
        [CONSUMER_ENV.tableName]: tableName,
        [CONSUMER_ENV.stateId]: DEFAULT_STATE_ID,
        [CONSUMER_ENV.namePrefix]: LOCAL_NAME_PREFIX,
        ...(receiptsQueueUrl ? { [CONSUMER_ENV.receiptsQueueUrl]: receiptsQueueUrl } : {}),
        [CONSUMER_ENV.createDlqAlarm]: 'false',
        [CONSUMER_ENV.checkIntervalMs]: '2000',
        ...(options.consumerEnv as Record<string, string> | undefined),
      },
      log,
      stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
      startTimeoutMs: 30_000,
    });
    cleanups.push(() => consumers.stopAll());
    if (options.tasks > 0) await consumers.startTasks(options.tasks);
    log(`fan-out stage up: ${graphql.url}, ${processorKind} processor, ${consumers.running().length} consumer(s)`);

    return {
      graphqlUrl: graphql.url,
      tableName,
      stateId: DEFAULT_STATE_ID,
      topicArn,
      processor: processorKind,
      namePrefix: LOCAL_NAME_PREFIX,
      receiptsQueueUrl,
      endpoints: { dynamodb: dynamo.endpoint, sqs: messaging, sns: messaging },
      clients: { dynamodb: dynamo.client, sqs, sns },
      consumers,
      stream,
      eventSourceMapping,
      pids: () => [fauxqs.child.pid!, ...processorPids(), ...consumers.running().map((t) => t.pid)],
      stop,
    };
  } catch (error) {
    await stop().catch((cleanupError: unknown) => log(`cleanup after a failed start: ${String(cleanupError)}`));
    throw error;
  }
}
