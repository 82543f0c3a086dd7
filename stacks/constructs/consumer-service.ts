import { DataAwsSubnets } from '@cdktf/provider-aws/lib/data-aws-subnets/index.js';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc/index.js';
import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster/index.js';
import { EcsService } from '@cdktf/provider-aws/lib/ecs-service/index.js';
import { EcsTaskDefinition } from '@cdktf/provider-aws/lib/ecs-task-definition/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { Construct } from 'constructs';
import { consumerAlarmPrefix, consumerQueuePrefix, CONSUMER_ENV } from '../../lib/fanout/constants.ts';
import type { StackConfig } from '../config.ts';
import { PushedImage } from './container-image.ts';
import { logGroup, logWriteArn } from './log-group.ts';
import { ServiceRole, WHY_WILDCARD } from './service-role.ts';

export interface ConsumerServiceProps {
  config: Pick<
    StackConfig,
    'namePrefix' | 'region' | 'imageTag' | 'fargateTaskCount' | 'fargateCpu' | 'fargateMemoryMb' | 'dlqMaxReceiveCount' | 'logRetentionDays' | 'vpcId' | 'subnetIds' | 'fargateAssignPublicIp'
  >;
  account: string;
  /** The region's partition (data aws_partition): aws, aws-cn, aws-us-gov. */
  partition: string;
  topicArn: string;
  tableName: string;
  tableArn: string;
  /** The runner's receipts queue: the task sends its delivery and lifecycle lines there. */
  receiptsQueueArn: string;
  receiptsQueueUrl: string;
}

export const CONSUMER_PORT = 8080;
/** Seconds between SIGTERM and SIGKILL; the consumer drains, unsubscribes and deletes its queues within it. */
export const CONSUMER_STOP_TIMEOUT_S = 60;

/**
 * The fan-out consumers: an ECS cluster and a Fargate service of N tasks in the configured VPC and
 * subnets (default: the default VPC's default subnets). Each task creates, and on stop deletes, its own
 * queue, DLQ, subscription and DLQ alarm, so its role may do exactly that, on names under this copy's
 * namePrefix only (`<prefix>-fanout-task-*`).
 */
export class ConsumerService extends Construct {
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;

  constructor(scope: Construct, id: string, props: ConsumerServiceProps) {
    super(scope, id);
    const { config, account, partition } = props;
    const prefix = config.namePrefix;
    const image = new PushedImage(this, 'image', { namePrefix: prefix, image: 'fargateConsumer', tag: config.imageTag });
    const logs = logGroup(this, 'logs', `/ecs/${prefix}-fanout-consumer`, config.logRetentionDays);

    const execution = new ServiceRole(this, 'execution-role', {
      roleName: `${prefix}-fanout-consumer-exec`,
      service: 'ecs-tasks.amazonaws.com',
      statements: [
        { sid: 'EcrToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'], wildcardResourceReason: WHY_WILDCARD.ecrAuthToken },
        { sid: 'PullConsumerImage', actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], resources: [image.repositoryArn] },
        { sid: 'WriteTaskLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logWriteArn(logs)] },
      ],
    });
    const task = new ServiceRole(this, 'task-role', {
      roleName: `${prefix}-fanout-consumer-task`,
      service: 'ecs-tasks.amazonaws.com',
      statements: [
        {
          sid: 'OwnQueues',
          actions: [
            'sqs:ChangeMessageVisibility',
            'sqs:CreateQueue',
            'sqs:DeleteMessage',
            'sqs:DeleteQueue',
            'sqs:GetQueueAttributes',
            'sqs:GetQueueUrl',
            'sqs:ReceiveMessage',
            'sqs:SetQueueAttributes',
            'sqs:TagQueue',
          ],
          resources: [`arn:${partition}:sqs:${config.region}:${account}:${consumerQueuePrefix(prefix)}*`],
        },
        // Unsubscribe names a subscription (<topic ARN>:<id>); either form may be what IAM evaluates.
        { sid: 'SubscribeToChanges', actions: ['sns:Subscribe', 'sns:Unsubscribe'], resources: [props.topicArn, `${props.topicArn}:*`] },
        {
          sid: 'OwnDlqAlarm',
          actions: ['cloudwatch:DeleteAlarms', 'cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'],
          resources: [`arn:${partition}:cloudwatch:${config.region}:${account}:alarm:${consumerAlarmPrefix(prefix)}*`],
        },
        { sid: 'LoadState', actions: ['dynamodb:GetItem'], resources: [props.tableArn] },
        { sid: 'SendReceipts', actions: ['sqs:SendMessage'], resources: [props.receiptsQueueArn] },
      ],
    });

    const environment: Record<string, string> = {
      [CONSUMER_ENV.topicArn]: props.topicArn,
      [CONSUMER_ENV.tableName]: props.tableName,
      [CONSUMER_ENV.port]: String(CONSUMER_PORT),
      [CONSUMER_ENV.maxReceives]: String(config.dlqMaxReceiveCount),
      [CONSUMER_ENV.createDlqAlarm]: 'true',
      [CONSUMER_ENV.namePrefix]: prefix,
      [CONSUMER_ENV.receiptsQueueUrl]: props.receiptsQueueUrl,
      AWS_REGION: config.region,
    };
    const healthCheck = `fetch('http://127.0.0.1:${CONSUMER_PORT}/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
    this.taskDefinition = new EcsTaskDefinition(this, 'task', {
      family: `${prefix}-fanout-consumer`,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(config.fargateCpu),
      memory: String(config.fargateMemoryMb),
      runtimePlatform: { cpuArchitecture: 'X86_64', operatingSystemFamily: 'LINUX' },
      executionRoleArn: execution.arn,
      taskRoleArn: task.arn,
      containerDefinitions: JSON.stringify([
        {
          name: 'consumer',
          image: image.uri,
          essential: true,
          stopTimeout: CONSUMER_STOP_TIMEOUT_S,
          portMappings: [{ containerPort: CONSUMER_PORT, protocol: 'tcp' }],
          environment: Object.entries(environment).map(([name, value]) => ({ name, value })),
          healthCheck: { command: ['CMD', 'node', '-e', healthCheck], interval: 10, timeout: 5, retries: 3, startPeriod: 30 },
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': logs.name, 'awslogs-region': config.region, 'awslogs-stream-prefix': 'consumer' },
          },
        },
      ]),
    });

    // Default: the default VPC's default (public) subnets, so tasks reach SQS, SNS and DynamoDB without a
    // NAT gateway. vpcId / subnetIds name others; private subnets need a NAT gateway or VPC endpoints
    // (SQS, SNS, DynamoDB, ECR, CloudWatch Logs) and fargateAssignPublicIp=false.
    const vpc = config.vpcId === '' ? new DataAwsVpc(this, 'vpc', { default: true }) : new DataAwsVpc(this, 'vpc', { id: config.vpcId });
    const subnetIds =
      config.subnetIds.length > 0
        ? config.subnetIds
        : new DataAwsSubnets(this, 'subnets', {
            filter: [
              { name: 'vpc-id', values: [vpc.id] },
              { name: 'default-for-az', values: ['true'] },
            ],
          }).ids;
    const securityGroup = new SecurityGroup(this, 'egress-only', {
      name: `${prefix}-fanout-consumer`,
      description: 'Fan-out consumers: HTTPS out to AWS APIs, nothing in',
      vpcId: vpc.id,
      egress: [{ description: 'HTTPS to AWS APIs', protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'] }],
    });

    this.cluster = new EcsCluster(this, 'cluster', { name: `${prefix}-fanout`, setting: [{ name: 'containerInsights', value: 'disabled' }] });
    this.service = new EcsService(this, 'service', {
      name: `${prefix}-fanout-consumer`,
      cluster: this.cluster.arn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: config.fargateTaskCount,
      launchType: 'FARGATE',
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      networkConfiguration: { subnets: subnetIds, securityGroups: [securityGroup.id], assignPublicIp: config.fargateAssignPublicIp },
      dependsOn: [execution.policy, task.policy],
    });
  }
}
