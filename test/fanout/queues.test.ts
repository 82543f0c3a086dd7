import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readConsumerConfig, type ConsumerConfig } from '../../fargate-consumer/config.ts';
import { FanoutConsumer } from '../../fargate-consumer/consumer.ts';
import { provisionTaskQueues, type TaskQueues } from '../../fargate-consumer/queues.ts';
import { CONSUMER_ENV, consumerQueueNames, OWNER_TAGS } from '../../lib/fanout/constants.ts';
import { startLocalMessaging } from '../../local-stage/fanout/messaging.ts';
import { localClientConfig } from '../../local-stage/local-aws.ts';

/**
 * The consumer's queue set-up and tear-down against the local stage's SNS + SQS (fauxqs) with real SDK
 * clients. fauxqs keeps a queue's Policy and RedrivePolicy (read back with GetQueueAttributes) but does
 * not keep SqsManagedSseEnabled, so encryption is checked on the CreateQueue input the SDK client
 * actually sent (recorded by a middleware on the real client).
 */

interface Sent {
  command: string;
  input: Record<string, any>;
}

/** Records every command the real client sends, with its input, before it goes on the wire. */
function record<T extends SQSClient | SNSClient>(client: T, sent: Sent[]): T {
  type Next = (args: { input: unknown }) => Promise<unknown>;
  (client.middlewareStack as unknown as { add(middleware: unknown, options: object): void }).add(
    (next: Next, context: { commandName?: string }) => async (args: { input: unknown }) => {
      sent.push({ command: String(context.commandName), input: args.input as Record<string, any> });
      return next(args);
    },
    { step: 'initialize', name: 'recordSent' },
  );
  return client;
}

/** CloudWatch has no local stand-in: a recording client that accepts the two alarm calls only. */
function recordingCloudWatch(sent: Sent[]) {
  return {
    send: async (command: { constructor: { name: string }; input: Record<string, any> }) => {
      const name = command.constructor.name;
      if (name !== 'PutMetricAlarmCommand' && name !== 'DeleteAlarmsCommand') throw new Error(`unexpected ${name}`);
      sent.push({ command: name.replace(/Command$/, ''), input: command.input });
      return {};
    },
  };
}

describe('consumer queues on the local stage (fauxqs)', () => {
  let messaging: Awaited<ReturnType<typeof startLocalMessaging>>;
  let sqs: SQSClient;
  let sns: SNSClient;
  let topicArn: string;
  const sent: Sent[] = [];
  const alarmCalls: Sent[] = [];
  const configFor = (taskId: string): ConsumerConfig =>
    readConsumerConfig({ [CONSUMER_ENV.topicArn]: topicArn, [CONSUMER_ENV.tableName]: 'fanout-state', [CONSUMER_ENV.taskId]: taskId, [CONSUMER_ENV.maxReceives]: '4' });
  const clients = () => ({ sqs, sns, cloudwatch: recordingCloudWatch(alarmCalls) as never });

  before(async () => {
    messaging = await startLocalMessaging();
    sqs = record(new SQSClient(localClientConfig(messaging.endpoint)), sent);
    sns = record(new SNSClient(localClientConfig(messaging.endpoint)), sent);
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'fanout-changes' }))).TopicArn!;
  });
  after(async () => {
    sqs?.destroy();
    sns?.destroy();
    await messaging?.close();
  });

  test('both queues are created with SQS-managed encryption, as sent to SQS', async () => {
    sent.length = 0;
    await provisionTaskQueues(clients(), configFor('enc'), 'owner-enc');
    const creates = sent.filter((s) => s.command === 'CreateQueueCommand');
    assert.deepEqual(creates.map((c) => c.input['QueueName']), [consumerQueueNames('sst', 'enc').dlq, consumerQueueNames('sst', 'enc').queue]);
    for (const create of creates) assert.equal(create.input['Attributes']?.['SqsManagedSseEnabled'], 'true', `${create.input['QueueName']} encrypted`);
    for (const create of creates) assert.equal(create.input['tags']?.[OWNER_TAGS.owner], 'owner-enc', `${create.input['QueueName']} tagged with its owner`);
  });

  test('the queue policy lets only the topic (SNS service principal, aws:SourceArn) send, read back from SQS', async () => {
    const queues = await provisionTaskQueues(clients(), configFor('pol'), 'owner-pol');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.queueUrl, AttributeNames: ['All'] }));
    const policy = JSON.parse(Attributes?.['Policy'] ?? 'null') as { Statement: Record<string, any>[] };
    assert.ok(policy, 'the queue has a policy');
    assert.equal(policy.Statement.length, 1);
    const [statement] = policy.Statement;
    assert.deepEqual(statement, {
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Resource: queues.queueArn,
      Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
    });
    const redrive = JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}') as { deadLetterTargetArn?: string; maxReceiveCount?: number };
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.dlqUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'];
    assert.deepEqual(redrive, { deadLetterTargetArn: dlqArn, maxReceiveCount: 4 });
    // The DLQ takes no messages from anyone but SQS's redrive: it has no policy.
    const dlqAttributes = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.dlqUrl, AttributeNames: ['All'] }))).Attributes ?? {};
    assert.equal(dlqAttributes['Policy'], undefined);
  });

  test('a change published to the topic reaches the subscribed queue', async () => {
    const queues = await provisionTaskQueues(clients(), configFor('sub'), 'owner-sub');
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"hello":1}' }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.queueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }));
    assert.ok((Messages ?? []).some((m) => JSON.parse(m.Body!).Message === '{"hello":1}'), JSON.stringify(Messages));
  });

  test('a task that drains unsubscribes first, then deletes its queue, its DLQ and its alarm', async () => {
    const config = configFor('drain');
    const queues: TaskQueues = await provisionTaskQueues(clients(), config, 'owner-drain');
    assert.equal(queues.alarmName, consumerQueueNames('sst', 'drain').alarm);
    const subscribed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    assert.ok(subscribed.Subscriptions?.some((s) => s.SubscriptionArn === queues.subscriptionArn), 'subscribed while running');

    sent.length = 0;
    alarmCalls.length = 0;
    const consumer = new FanoutConsumer(config, { ...clients(), dynamodb: {} as never }, () => {});
    consumer.queues = queues;
    consumer.phase = 'ready';
    await consumer.stop();
    assert.equal(consumer.phase, 'stopped');

    const order = sent.map((s) => [s.command, s.input['SubscriptionArn'] ?? s.input['QueueUrl']]);
    assert.deepEqual(order, [
      ['UnsubscribeCommand', queues.subscriptionArn],
      ['DeleteQueueCommand', queues.queueUrl],
      ['GetQueueAttributesCommand', queues.dlqUrl],
      ['DeleteQueueCommand', queues.dlqUrl],
    ]);
    assert.deepEqual(alarmCalls, [{ command: 'DeleteAlarms', input: { AlarmNames: [queues.alarmName] } }]);
    const left = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    assert.equal(left.Subscriptions?.some((s) => s.SubscriptionArn === queues.subscriptionArn), false, 'subscription removed');
    for (const name of [consumerQueueNames('sst', 'drain').queue, consumerQueueNames('sst', 'drain').dlq]) {
      await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: name })), /exist/i, `${name} deleted`);
    }
  });

  test('a task that drains with a message in its DLQ deletes its queue but keeps the DLQ, the message and the alarm', async () => {
    const config = configFor('keep');
    const queues: TaskQueues = await provisionTaskQueues(clients(), config, 'owner-keep');
    await sqs.send(new SendMessageCommand({ QueueUrl: queues.dlqUrl, MessageBody: 'poison' }));
    alarmCalls.length = 0;
    const lines: string[] = [];
    const consumer = new FanoutConsumer(config, { ...clients(), dynamodb: {} as never }, (l) => lines.push(l));
    consumer.queues = queues;
    consumer.phase = 'ready';
    await consumer.stop();
    await assert.rejects(sqs.send(new GetQueueUrlCommand({ QueueName: consumerQueueNames('sst', 'keep').queue })), /exist/i);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues.dlqUrl, WaitTimeSeconds: 1 }));
    assert.equal(Messages?.[0]?.Body, 'poison');
    assert.deepEqual(alarmCalls, [], 'the alarm stays with the DLQ');
    assert.ok(lines.some((l) => JSON.parse(l).event === 'fanout.dlq-kept'));
  });
});
