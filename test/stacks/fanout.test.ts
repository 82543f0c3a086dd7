import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CONSUMER_ENV, PROCESSOR_ENV } from '../../lib/fanout/constants.ts';
import { PIPE_INPUT_TEMPLATE, renderPipeInputTemplate } from '../../lib/fanout/pipe-template.ts';
import { stateFromMessage } from '../../lib/fanout/sqs-message.ts';
import { fanoutStateCreateTableInput } from '../../lib/fanout/table.ts';
import { FANOUT_RESOLVERS, FANOUT_SCHEMA_FILE } from '../../lib/fanout/templates.ts';
import { CONSUMER_STOP_TIMEOUT_S } from '../../stacks/constructs/consumer-service.ts';
import { only, ref, resources, roleStatements, synthAll, type Synthesized, type TfJson } from './synth-helper.ts';

interface ContainerDefinition {
  image: string;
  stopTimeout: number;
  environment: { name: string; value: string }[];
  logConfiguration: { logDriver: string; options: Record<string, string> };
  healthCheck: { command: string[] };
}

const container = (stack: TfJson): ContainerDefinition => {
  const definitions = JSON.parse(only(stack, 'aws_ecs_task_definition')['container_definitions'] as string) as ContainerDefinition[];
  assert.equal(definitions.length, 1);
  return definitions[0]!;
};
const env = (stack: TfJson) => Object.fromEntries(container(stack).environment.map((e) => [e.name, e.value]));

describe('fanout stack (Lambda processor, defaults)', () => {
  let synth: Synthesized;
  let stack: TfJson;
  before(() => {
    synth = synthAll();
    stack = synth.stacks.fanout;
  });
  after(() => synth?.cleanup());

  it('creates the state table of lib/fanout/table.ts, with its stream', () => {
    const table = only(stack, 'aws_dynamodb_table');
    const input = fanoutStateCreateTableInput('sst-fanout-state');
    assert.equal(table['name'], 'sst-fanout-state');
    assert.equal(table['billing_mode'], 'PAY_PER_REQUEST');
    assert.equal(table['hash_key'], 'id');
    assert.equal(table['stream_enabled'], true);
    assert.equal(table['stream_view_type'], input.StreamSpecification?.StreamViewType);
    assert.equal(table['stream_view_type'], 'NEW_IMAGE');
  });

  it('embeds the GraphQL schema and every resolver template byte for byte', () => {
    const api = only(stack, 'aws_appsync_graphql_api');
    assert.equal(api['schema'], readFileSync(FANOUT_SCHEMA_FILE, 'utf8'));
    const resolvers = resources(stack, 'aws_appsync_resolver');
    assert.equal(resolvers.length, FANOUT_RESOLVERS.length);
    for (const spec of FANOUT_RESOLVERS) {
      const resolver = resolvers.find((r) => r['type'] === spec.typeName && r['field'] === spec.fieldName);
      assert.ok(resolver, `${spec.typeName}.${spec.fieldName}`);
      assert.equal(resolver['request_template'], readFileSync(spec.requestTemplateFile, 'utf8'));
      assert.equal(resolver['response_template'], readFileSync(spec.responseTemplateFile, 'utf8'));
    }
    const source = only(stack, 'aws_appsync_datasource');
    assert.equal(source['type'], 'AMAZON_DYNAMODB');
    assert.deepEqual(roleStatements(stack, 'sst-fanout-appsync').flatMap((s) => s.Resource), [ref(stack, 'aws_dynamodb_table', 'arn')]);
  });

  it('processes the stream with the Lambda bundle, reporting partial batch failures, publishing to the encrypted topic', () => {
    const fn = only(stack, 'aws_lambda_function');
    assert.equal(fn['runtime'], 'nodejs22.x');
    assert.deepEqual(fn['architectures'], ['arm64']);
    assert.equal(fn['memory_size'], 128);
    assert.deepEqual(fn['environment'], { variables: { [PROCESSOR_ENV.topicArn]: ref(stack, 'aws_sns_topic', 'arn') } });
    const mapping = only(stack, 'aws_lambda_event_source_mapping');
    assert.equal(mapping['event_source_arn'], ref(stack, 'aws_dynamodb_table', 'stream_arn'));
    assert.deepEqual(mapping['function_response_types'], ['ReportBatchItemFailures']);
    assert.equal(mapping['starting_position'], 'LATEST');
    assert.equal(resources(stack, 'aws_pipes_pipe').length, 0);
    assert.equal(only(stack, 'aws_sns_topic')['kms_master_key_id'], 'alias/aws/sns');
  });

  it('runs 20 Fargate consumers from the pushed image, with redrive, DLQ alarm and stop timeout settings', () => {
    const service = only(stack, 'aws_ecs_service');
    assert.equal(service['desired_count'], 20);
    assert.equal(service['launch_type'], 'FARGATE');
    const task = only(stack, 'aws_ecs_task_definition');
    assert.deepEqual(task['requires_compatibilities'], ['FARGATE']);
    assert.equal(task['network_mode'], 'awsvpc');
    const c = container(stack);
    assert.match(c.image, /^\$\{data\.aws_ecr_repository\.[^}]+\.repository_url\}@\$\{data\.aws_ecr_image\.[^}]+\.image_digest\}$/);
    assert.equal(c.stopTimeout, CONSUMER_STOP_TIMEOUT_S);
    const vars = env(stack);
    assert.equal(vars[CONSUMER_ENV.topicArn], ref(stack, 'aws_sns_topic', 'arn'));
    assert.equal(vars[CONSUMER_ENV.tableName], ref(stack, 'aws_dynamodb_table', 'name'));
    assert.equal(vars[CONSUMER_ENV.maxReceives], '3', 'messages move to the DLQ after 3 receives');
    assert.equal(vars[CONSUMER_ENV.createDlqAlarm], 'true');
    assert.equal(vars[CONSUMER_ENV.receiptsQueueUrl], ref(stack, 'aws_sqs_queue', 'url'), 'receipts go to the stack\'s receipts queue');
    const receipts = only(stack, 'aws_sqs_queue');
    assert.equal(receipts['name'], 'sst-fanout-receipts');
    assert.equal(receipts['sqs_managed_sse_enabled'], true);
    assert.equal(c.logConfiguration.logDriver, 'awslogs');
    const group = resources(stack, 'aws_cloudwatch_log_group').find((g) => g['name'] === '/ecs/sst-fanout-consumer');
    assert.ok(Number(group?.['retention_in_days']) > 0);
    assert.deepEqual(c.healthCheck.command.slice(0, 3), ['CMD', 'node', '-e']);
  });

  it("lets a consumer create and delete only its own queues, subscription and DLQ alarm, and read the state", () => {
    const statements = roleStatements(stack, 'sst-fanout-consumer-task');
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    const partition = '${data.aws_partition.partition.partition}';
    assert.deepEqual(bySid['OwnQueues']?.Resource, [`arn:${partition}:sqs:us-east-1:\${data.aws_caller_identity.account.account_id}:sst-fanout-task-*`]);
    assert.ok(bySid['OwnDlqAlarm']?.Action.includes('cloudwatch:TagResource'), 'PutMetricAlarm with Tags needs TagResource');
    for (const action of ['sqs:CreateQueue', 'sqs:DeleteQueue', 'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:SetQueueAttributes', 'sqs:TagQueue']) {
      assert.ok(bySid['OwnQueues']?.Action.includes(action), action);
    }
    const topic = ref(stack, 'aws_sns_topic', 'arn');
    assert.deepEqual(bySid['SubscribeToChanges']?.Resource, [topic, `${topic}:*`], 'the topic and its own subscriptions, nothing else');
    assert.deepEqual(bySid['OwnDlqAlarm']?.Resource, [`arn:${partition}:cloudwatch:us-east-1:\${data.aws_caller_identity.account.account_id}:alarm:sst-fanout-task-dlq-*`]);
    assert.equal(env(stack)[CONSUMER_ENV.namePrefix], 'sst', 'the consumer names its queues under the same prefix IAM allows');
    assert.deepEqual(bySid['LoadState']?.Resource, [ref(stack, 'aws_dynamodb_table', 'arn')]);
    assert.deepEqual(bySid['SendReceipts'], { Sid: 'SendReceipts', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [ref(stack, 'aws_sqs_queue', 'arn')] });
    assert.equal(statements.length, 5);
  });

  it('outputs what the fan-out runner needs, the API key as sensitive', () => {
    for (const key of ['graphqlUrl', 'graphqlApiKey', 'topicArn', 'tableName', 'receiptsQueueUrl', 'clusterName', 'serviceName', 'processorKind', 'namePrefix', 'region', 'config']) {
      assert.ok(stack.output[key], key);
    }
    assert.equal(stack.output['graphqlApiKey']!.sensitive, true);
    assert.deepEqual(
      { ...(stack.output['config']!.value as object) },
      {
        region: 'us-east-1',
        fargateTaskCount: 20,
        fargateCpu: 256,
        fargateMemoryMb: 512,
        processorKind: 'lambda',
        lambdaMemoryMb: 128,
        lambdaArchitecture: 'arm64',
        lambdaRuntime: 'nodejs22.x',
        dlqMaxReceiveCount: 3,
        imageTag: 'latest',
        vpcId: 'default',
        subnetIds: 'default-for-az',
        fargateAssignPublicIp: true,
      },
    );
  });

  it('writes no ARN with a hard-coded partition: every ARN it builds takes data.aws_partition', () => {
    const text = JSON.stringify(stack);
    assert.ok(stack.data?.['aws_partition'], 'reads the partition');
    assert.equal(text.match(/arn:aws:/g), null, `hard-coded "arn:aws:" found`);
  });

  it('places the consumers in the default VPC and its default subnets by default', () => {
    const vpcs = Object.entries(stack.data?.['aws_vpc'] ?? {});
    assert.equal(vpcs.length, 1);
    assert.equal(vpcs[0]![1]['default'], true);
    const subnets = Object.entries(stack.data?.['aws_subnets'] ?? {});
    assert.equal(subnets.length, 1);
    assert.deepEqual(subnets[0]![1]['filter'], [
      { name: 'vpc-id', values: [`\${data.aws_vpc.${vpcs[0]![0]}.id}`] },
      { name: 'default-for-az', values: ['true'] },
    ]);
    const network = only(stack, 'aws_ecs_service')['network_configuration'] as { subnets: string; assign_public_ip: boolean };
    assert.equal(network.subnets, `\${data.aws_subnets.${subnets[0]![0]}.ids}`);
    assert.equal(network.assign_public_ip, true);
    assert.equal(only(stack, 'aws_security_group')['vpc_id'], `\${data.aws_vpc.${vpcs[0]![0]}.id}`);
  });
});

describe('fanout stack (another copy: namePrefix team-b, own VPC and private subnets)', () => {
  let synth: Synthesized;
  let stack: TfJson;
  before(() => {
    synth = synthAll({ namePrefix: 'team-b', vpcId: 'vpc-0abc12345def67890', subnetIds: ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445'], fargateAssignPublicIp: false });
    stack = synth.stacks.fanout;
  });
  after(() => synth?.cleanup());

  it("scopes the consumers' queues and alarms to its own prefix, so it cannot delete the other copy's", () => {
    const bySid = Object.fromEntries(roleStatements(stack, 'team-b-fanout-consumer-task').map((s) => [s.Sid, s]));
    assert.match(bySid['OwnQueues']!.Resource[0]!, /:team-b-fanout-task-\*$/);
    assert.match(bySid['OwnDlqAlarm']!.Resource[0]!, /:alarm:team-b-fanout-task-dlq-\*$/);
    assert.ok(!bySid['OwnQueues']!.Resource[0]!.includes(':sst-'));
    assert.equal(env(stack)[CONSUMER_ENV.namePrefix], 'team-b');
  });

  it('uses the configured VPC and subnets, without public IPs', () => {
    const vpcs = Object.values(stack.data?.['aws_vpc'] ?? {});
    assert.deepEqual(vpcs.map((v) => [v['id'], v['default']]), [['vpc-0abc12345def67890', undefined]]);
    assert.equal(Object.keys(stack.data?.['aws_subnets'] ?? {}).length, 0);
    const network = only(stack, 'aws_ecs_service')['network_configuration'] as { subnets: string[]; assign_public_ip: boolean };
    assert.deepEqual(network.subnets, ['subnet-0aaa1111bbbb22223', 'subnet-0ccc3333dddd44445']);
    assert.equal(network.assign_public_ip, false);
  });
});

describe('fanout stack (EventBridge Pipe processor, 25 tasks)', () => {
  let synth: Synthesized;
  let stack: TfJson;
  before(() => {
    synth = synthAll({ processorKind: 'pipe', fargateTaskCount: 25, dlqMaxReceiveCount: 5 });
    stack = synth.stacks.fanout;
  });
  after(() => synth?.cleanup());

  it('replaces the Lambda and its mapping with a pipe from the stream to the topic', () => {
    assert.equal(resources(stack, 'aws_lambda_function').length, 0);
    assert.equal(resources(stack, 'aws_lambda_event_source_mapping').length, 0);
    const pipe = only(stack, 'aws_pipes_pipe');
    assert.equal(pipe['source'], ref(stack, 'aws_dynamodb_table', 'stream_arn'));
    assert.equal(pipe['target'], ref(stack, 'aws_sns_topic', 'arn'));
    assert.equal((pipe['source_parameters'] as { dynamodb_stream_parameters: { starting_position: string } }).dynamodb_stream_parameters.starting_position, 'LATEST');
    assert.equal(stack.output['processorKind']!.value, 'pipe');
  });

  it('deploys the shared input template, which renders (by the documented rules) to a message the consumer reads', () => {
    const pipe = only(stack, 'aws_pipes_pipe');
    const template = (pipe['target_parameters'] as { input_template: string }).input_template;
    assert.equal(template, PIPE_INPUT_TEMPLATE);
    const record = { dynamodb: { SequenceNumber: '5', NewImage: { id: { S: 'current' }, version: { N: '5' }, writtenAt: { N: '1700000000000' }, payload: { S: '{"seq":5}' } } } };
    assert.deepEqual(stateFromMessage(JSON.parse(renderPipeInputTemplate(template, record))), { id: 'current', version: 5, writtenAt: 1700000000000, payload: { seq: 5 } });
    assert.equal(JSON.stringify(stack).match(/arn:aws:/g), null);
  });

  it('follows the task count and redrive settings', () => {
    assert.equal(only(stack, 'aws_ecs_service')['desired_count'], 25);
    assert.equal(env(stack)[CONSUMER_ENV.maxReceives], '5');
  });
});
