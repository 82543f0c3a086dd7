import { DeleteAlarmsCommand, PutMetricAlarmCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SubscribeCommand, UnsubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CONSUMER_ALARM_PREFIX, consumerQueueNames } from '../lib/fanout/constants.ts';
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
export async function provisionTaskQueues(clients: Clients, config: ConsumerConfig): Promise<TaskQueues> {
  const undo: (() => Promise<unknown>)[] = [];
  try {
    return await createTaskQueues(clients, config, undo);
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

async function createTaskQueues(clients: Clients, config: ConsumerConfig, undo: (() => Promise<unknown>)[]): Promise<TaskQueues> {
  const names = consumerQueueNames(config.taskId);
  const dlq = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: names.dlq, Attributes: { MessageRetentionPeriod: String(14 * 24 * 3600), ...QUEUE_ENCRYPTION } }),
  );
  const dlqUrl = dlq.QueueUrl!;
  undo.push(() => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl })));
  const dlqArn = await queueArn(clients.sqs, dlqUrl);
  const region = dlqArn.split(':')[3] ?? 'us-east-1';
  const account = dlqArn.split(':')[4] ?? '000000000000';
  const ownArn = `arn:aws:sqs:${region}:${account}:${names.queue}`;
  const created = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: names.queue,
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
    alarmName = `${CONSUMER_ALARM_PREFIX}${config.taskId}`;
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
      }),
    );
  }
  return { queueUrl, queueArn: arn, dlqUrl, dlqName: names.dlq, subscriptionArn: subscription.SubscriptionArn!, alarmName };
}

export async function unsubscribe(clients: Clients, queues: TaskQueues): Promise<void> {
  await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: queues.subscriptionArn }));
}

/** Deletes the queue, the DLQ and the alarm. A task that is killed (not stopped) leaves them behind. */
export async function deleteTaskQueues(clients: Clients, queues: TaskQueues): Promise<void> {
  await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.queueUrl }));
  await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queues.dlqUrl }));
  if (queues.alarmName !== undefined) await clients.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [queues.alarmName] }));
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
