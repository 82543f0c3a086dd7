import { AppsyncApiKey } from '@cdktf/provider-aws/lib/appsync-api-key/index.js';
import { AppsyncDatasource } from '@cdktf/provider-aws/lib/appsync-datasource/index.js';
import { AppsyncGraphqlApi } from '@cdktf/provider-aws/lib/appsync-graphql-api/index.js';
import { AppsyncResolver } from '@cdktf/provider-aws/lib/appsync-resolver/index.js';
import { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity/index.js';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition/index.js';
import { LambdaEventSourceMapping } from '@cdktf/provider-aws/lib/lambda-event-source-mapping/index.js';
import { PipesPipe } from '@cdktf/provider-aws/lib/pipes-pipe/index.js';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic/index.js';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue/index.js';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { FANOUT_TABLE_NAME, PROCESSOR_ENV } from '../lib/fanout/constants.ts';
import { PIPE_INPUT_TEMPLATE } from '../lib/fanout/pipe-template.ts';
import { fanoutStateCreateTableInput } from '../lib/fanout/table.ts';
import { FANOUT_RESOLVERS, FANOUT_SCHEMA_FILE } from '../lib/fanout/templates.ts';
import { BUNDLE_OUTFILES } from '../scripts/bundles.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { fanoutRecordedConfig, type StackConfig } from './config.ts';
import { ConsumerService } from './constructs/consumer-service.ts';
import { tableFromCreateInput } from './constructs/dynamodb-table.ts';
import { embedVerbatim } from './constructs/embedded-file.ts';
import { logGroup, logWriteArn } from './constructs/log-group.ts';
import { NodejsFunction } from './constructs/nodejs-function.ts';
import { ServiceRole, WHY_WILDCARD, type Statement } from './constructs/service-role.ts';
import { awsProvider } from './provider.ts';

export const FANOUT_STACK = 'fanout';
export const STREAM_PROCESSOR_BUNDLE = BUNDLE_OUTFILES.streamProcessor;

/**
 * The EventBridge Pipe variant cannot set SNS message attributes; its input template (shared with the
 * local stage, lib/fanout/pipe-template.ts) publishes the stream record's new image as a JSON object.
 */
export { PIPE_INPUT_TEMPLATE };

/** An embedded file, read from its absolute path and named by its repo-relative one in errors. */
function embedFile(path: string): string {
  return embedVerbatim(relative(REPO_ROOT, path), readFileSync(path, 'utf8'));
}

/**
 * The fan-out benchmark: state table with a stream, AppSync mutation, stream processor (Lambda or
 * EventBridge Pipe), SNS topic, and the Fargate consumers that each make their own queue and DLQ.
 */
export class FanoutStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    const prefix = config.namePrefix;
    awsProvider(this, config.region, id);
    const account = new DataAwsCallerIdentity(this, 'account').accountId;
    // aws, aws-cn or aws-us-gov: every ARN this stack writes itself takes the partition of the region.
    const partition = new DataAwsPartition(this, 'partition').partition;

    const table = tableFromCreateInput(this, 'state-table', fanoutStateCreateTableInput(`${prefix}-${FANOUT_TABLE_NAME}`));
    // SNS encrypts with the AWS managed key; SNS decrypts before delivering to the consumers' queues.
    const topic = new SnsTopic(this, 'changes', { name: `${prefix}-fanout-changes`, kmsMasterKeyId: 'alias/aws/sns' });

    // AppSync: the mutation writes the state record through the shared resolver templates.
    const api = new AppsyncGraphqlApi(this, 'graphql', {
      name: `${prefix}-fanout`,
      authenticationType: 'API_KEY',
      schema: embedFile(FANOUT_SCHEMA_FILE),
    });
    const apiKey = new AppsyncApiKey(this, 'graphql-key', { apiId: api.id, description: 'serverless-speed-test fan-out runner' });
    const dataSourceRole = new ServiceRole(this, 'graphql-table-role', {
      roleName: `${prefix}-fanout-appsync`,
      service: 'appsync.amazonaws.com',
      statements: [{ sid: 'ReadWriteState', actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table.arn] }],
    });
    const dataSource = new AppsyncDatasource(this, 'graphql-table', {
      apiId: api.id,
      name: 'stateTable',
      type: 'AMAZON_DYNAMODB',
      serviceRoleArn: dataSourceRole.arn,
      dynamodbConfig: { tableName: table.name, region: config.region },
      dependsOn: [dataSourceRole.policy],
    });
    for (const resolver of FANOUT_RESOLVERS) {
      new AppsyncResolver(this, `resolver-${resolver.typeName}-${resolver.fieldName}`, {
        apiId: api.id,
        type: resolver.typeName,
        field: resolver.fieldName,
        kind: 'UNIT',
        dataSource: dataSource.name,
        requestTemplate: embedFile(resolver.requestTemplateFile),
        responseTemplate: embedFile(resolver.responseTemplateFile),
      });
    }

    // Stream processor: the Lambda (default) or an EventBridge Pipe, from the stack config.
    const readStream: Statement[] = [
      { sid: 'ReadStateStream', actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], resources: [table.streamArn] },
      { sid: 'ListStreams', actions: ['dynamodb:ListStreams'], resources: ['*'], wildcardResourceReason: WHY_WILDCARD.listStreams },
    ];
    const publish: Statement = { sid: 'PublishChanges', actions: ['sns:Publish'], resources: [topic.arn] };
    if (config.processorKind === 'lambda') {
      const processor = new NodejsFunction(this, 'stream-processor', {
        functionName: `${prefix}-fanout-stream-processor`,
        bundle: STREAM_PROCESSOR_BUNDLE,
        environment: { [PROCESSOR_ENV.topicArn]: topic.arn },
        statements: [...readStream, publish],
        config,
      });
      new LambdaEventSourceMapping(this, 'stream-to-processor', {
        eventSourceArn: table.streamArn,
        functionName: processor.fn.arn,
        startingPosition: 'LATEST',
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        parallelizationFactor: 1,
        functionResponseTypes: ['ReportBatchItemFailures'],
        maximumRetryAttempts: 10,
        dependsOn: [processor.role.policy],
      });
    } else {
      const pipeLogs = logGroup(this, 'pipe-logs', `/aws/vendedlogs/pipes/${prefix}-fanout`, config.logRetentionDays);
      const pipeRole = new ServiceRole(this, 'pipe-role', {
        roleName: `${prefix}-fanout-pipe`,
        service: 'pipes.amazonaws.com',
        statements: [...readStream, publish, { sid: 'WritePipeLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logWriteArn(pipeLogs)] }],
      });
      new PipesPipe(this, 'stream-to-topic', {
        name: `${prefix}-fanout-stream-to-topic`,
        roleArn: pipeRole.arn,
        source: table.streamArn,
        target: topic.arn,
        sourceParameters: { dynamodbStreamParameters: { startingPosition: 'LATEST', batchSize: 1, maximumBatchingWindowInSeconds: 0, maximumRetryAttempts: 10 } },
        targetParameters: { inputTemplate: PIPE_INPUT_TEMPLATE },
        logConfiguration: { level: 'ERROR', cloudwatchLogsLogDestination: { logGroupArn: pipeLogs.arn } },
        dependsOn: [pipeRole.policy],
      });
    }

    // Receipts: each consumer sends its delivery and lifecycle lines here; the runner reads them on AWS
    // (docs/fanout.md, "Measuring on AWS"). Kept one day: a run reads them within seconds.
    const receipts = new SqsQueue(this, 'receipts', {
      name: `${prefix}-fanout-receipts`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 86_400,
      visibilityTimeoutSeconds: 30,
      receiveWaitTimeSeconds: 20,
    });

    const consumers = new ConsumerService(this, 'consumers', {
      config,
      account,
      partition,
      topicArn: topic.arn,
      tableName: table.name,
      tableArn: table.arn,
      receiptsQueueArn: receipts.arn,
      receiptsQueueUrl: receipts.url,
    });

    const outputs = {
      graphqlUrl: api.uris.lookup('GRAPHQL'),
      topicArn: topic.arn,
      tableName: table.name,
      receiptsQueueUrl: receipts.url,
      clusterName: consumers.cluster.name,
      serviceName: consumers.service.name,
      processorKind: config.processorKind,
      namePrefix: prefix,
      region: config.region,
      config: fanoutRecordedConfig(config),
    };
    for (const [name, value] of Object.entries(outputs)) new TerraformOutput(this, name, { value });
    new TerraformOutput(this, 'graphqlApiKey', { value: apiKey.key, sensitive: true });
  }
}
