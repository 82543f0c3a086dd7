import { DeleteAlarmsCommand, PutMetricAlarmCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SubscribeCommand, UnsubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { consumerQueueNames, OWNER_TAGS } from '../lib/fanout/constants.ts';
import type { ConsumerConfig } from './config.ts';

/** Server-side encryption with SQS-managed keys, set explicitly rather than relying on the account default. */
const QUEUE_ENCRYPTION = { SqsManagedSseEnabled: 'true' } as const;

export interface TaskQueues {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqName: string;
  subscriptionArn: string;
  alarmName: string | undefined;
}

export interface Clients {
  sqs: SQSClient;
  sns: SNSClient;
  cloudwatch: CloudWatchClient;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new Error(`Queue ${queueUrl} has no QueueArn attribute.`);
  return arn;
}

/** Lets the topic (and only it) send to the task's queue. */
function snsSendPolicy(queueArnValue: string, topicArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArnValue,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
    ],
  });
}

/**
 * Creates the task's DLQ, its queue (redrive after maxReceives) and the topic subscription; optionally the
 * DLQ alarm. If a step fails, what the earlier steps created is removed before the error is rethrown, so
 * a task that fails to start (and is restarted by ECS, again and again) leaves no queues behind.
 */
export async function provisionTaskQueues(clients: Clients, config: ConsumerConfig, owner: string): Promise<TaskQueues> {
  const undo: (() => Promise<unknown>)[] = [];
  try {
    return await createTaskQueues(clients, config, owner, undo);
  } catch (error) {
    const undoErrors: unknown[] = [];
    for (const step of undo.reverse()) {
      try {
        await step();
      } catch (undoError) {
        undoErrors.push(undoError);
      }
    }
    if (undoErrors.length > 0) throw new AggregateError([error, ...undoErrors], `Task ${config.taskId} failed to start and could not remove what it created.`);
    throw error;
  }
}

/** The tags of every queue and alarm a task creates (see OWNER_TAGS). */
export function ownerTags(config: Pick<ConsumerConfig, 'namePrefix' | 'taskId'>, owner: string): Record<string, string> {
  return { [OWNER_TAGS.owner]: owner, [OWNER_TAGS.namePrefix]: config.namePrefix, [OWNER_TAGS.taskId]: config.taskId };
}

/** A sibling ARN: same partition, region and account as `arn`, another resource name. */
export function siblingArn(arn: string, resource: string): string {
  const [, partition, service, region, account] = arn.split(':');
  if (!partition || !service || !region || !account) throw new Error(`Not an ARN: ${arn}`);
  return `arn:${partition}:${service}:${region}:${account}:${resource}`;
}

async function createTaskQueues(clients: Clients, config: ConsumerConfig, owner: string, undo: (() => Promise<unknown>)[]): Promise<TaskQueues> {
  const names = consumerQueueNames(config.namePrefix, config.taskId);
  const tags = ownerTags(config, owner);
  const dlq = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: names.dlq, Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600), ...QUEUE_ENCRYPTION }, tags }),
  );
  const dlqUrl = dlq.QueueUrl!;
  undo.push(() => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl })));
  const dlqArn = await queueArn(clients.sqs, dlqUrl);
  // The partition (aws, aws-cn, aws-us-gov), region and account come from the ARN SQS gave the DLQ.
  const ownArn = siblingArn(dlqArn, names.queue);
  const created = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: names.queue,
      tags,
      Attributes: {
        VisibilityTimeout: String(config.visibilityTimeoutS),
        ReceiveMessageWaitTimeSeconds: String(config.waitTimeS),
        MessageRetentionPeriod: '3600',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: config.maxReceives }),
        Policy: snsSendPolicy(ownArn, config.topicArn),
        ...QUEUE_ENCRYPTION,
      },
    }),
  );
  const queueUrl = created.QueueUrl!;
  undo.push(() => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })));
  const arn = await queueArn(clients.sqs, queueUrl);
  // Envelope (not raw) delivery: the envelope's Timestamp is when SNS accepted the publish.
  const subscription = await clients.sns.send(
    new SubscribeCommand({ TopicArn: config.topicArn, Protocol: 'sqs', Endpoint: arn, ReturnSubscriptionArn: true }),
  );
  undo.push(() => clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: subscription.SubscriptionArn! })));
  let alarmName: string | undefined;
  if (config.createDlqAlarm) {
    alarmName = names.alarm;
    await clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarmName,
        AlarmDescription: `Messages in the DLQ of fan-out task ${config.taskId}: the task failed to apply a change.`,
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: names.dlq }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: config.alarmTopicArn === undefined ? undefined : [config.alarmTopicArn],
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  return { queueUrl, queueArn: arn, dlqUrl, dlqName: names.dlq, subscriptionArn: subscription.SubscriptionArn!, alarmName };
}

export async function unsubscribe(clients: Clients, queues: TaskQueues): Promise<void> {
  await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: queues.subscriptionArn }));
}

/**
 * Deletes the queue; then the DLQ and its alarm only if the DLQ is empty. A DLQ holding messages is the
 * evidence of a change the task could not apply: it stays, with its alarm (in ALARM), until someone
 * reads it; the orphan reaper (runner/fanout/reaper.ts) removes it once it is empty (SQS drops the
 * messages after their 14-day retention). A task that is killed (not stopped) leaves everything behind.
 */
export async function deleteTaskQueues(clients: Clients, queues: TaskQueues): Promise<{ dlqKept: boolean; dlqDepth: number }> {
  await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.queueUrl }));
  const depth = await queueDepth(clients.sqs, queues.dlqUrl);
  const dlqDepth = depth.visible + depth.inFlight;
  if (dlqDepth > 0) return { dlqKept: true, dlqDepth };
  await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.dlqUrl }));
  if (queues.alarmName !== undefined) await clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [queues.alarmName] }));
  return { dlqKept: false, dlqDepth: 0 };
}

/** Messages waiting in a queue (visible + in flight). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
