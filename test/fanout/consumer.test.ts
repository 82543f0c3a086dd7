import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteQueueCommand, GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import { readConsumerConfig } from '../../fargate-consumer/config.ts';
import { FanoutConsumer } from '../../fargate-consumer/consumer.ts';
import { CONSUMER_ENV } from '../../lib/fanout/constants.ts';
import { parseDeliveryEmfLine } from '../../lib/fanout/emf.ts';
import { PIPE_INPUT_TEMPLATE, renderPipeInputTemplate } from '../../lib/fanout/pipe-template.ts';

/** A client whose send() answers from a table keyed by command class, and records every call. */
function fakeClient(answers: Map<unknown, (input: any) => unknown>) {
  const calls: { command: string; input: any }[] = [];
  return {
    calls,
    send: async (command: { constructor: unknown; input: unknown }) => {
      calls.push({ command: (command.constructor as { name: string }).name, input: command.input });
      const answer = answers.get(command.constructor);
      if (!answer) throw new Error(`unexpected ${(command.constructor as { name: string }).name}`);
      return answer(command.input);
    },
  };
}

function consumerWith(sqsAnswers: Map<unknown, (input: any) => unknown>, snsAnswers: Map<unknown, (input: any) => unknown> = new Map()) {
  const config = readConsumerConfig({
    [CONSUMER_ENV.topicArn]: 'arn:aws:sns:us-east-1:1:t',
    [CONSUMER_ENV.tableName]: 'fanout-state',
    [CONSUMER_ENV.taskId]: 'unit',
    [CONSUMER_ENV.maxBacklog]: '5',
  });
  const sqs = fakeClient(sqsAnswers);
  const sns = fakeClient(snsAnswers);
  const cloudwatch = fakeClient(new Map());
  const lines: string[] = [];
  const consumer = new FanoutConsumer(config, { sqs, sns, cloudwatch, dynamodb: fakeClient(new Map()) } as never, (l) => lines.push(l));
  consumer.queues = { queueUrl: 'q', queueArn: 'arn:q', dlqUrl: 'dlq', dlqName: 'dlq', subscriptionArn: 's', alarmName: undefined };
  return { consumer, sqs, sns, cloudwatch, lines };
}

const envelope = (version: number, writtenAt: number): Message => ({
  MessageId: `m${version}`,
  ReceiptHandle: `r${version}`,
  Body: JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ id: 'current', version, payload: {}, writtenAt }), Timestamp: new Date(writtenAt + 10).toISOString() }),
  Attributes: { SentTimestamp: String(writtenAt + 12), ApproximateFirstReceiveTimestamp: String(writtenAt + 20), ApproximateReceiveCount: '1' },
});

describe('FanoutConsumer', () => {
  test('applies a batch, logs one EMF line per handled message and deletes only those', async () => {
    const { consumer, sqs, lines } = consumerWith(new Map([[DeleteMessageBatchCommand, () => ({ Successful: [], Failed: [] })]]));
    const now = Date.now();
    await consumer.handleBatch('q', [envelope(2, now), { MessageId: 'bad', ReceiptHandle: 'rbad', Body: 'garbage' }, envelope(1, now)]);
    assert.equal(consumer.state?.version, 2);
    assert.deepEqual(consumer.counters, { received: 3, applied: 1, duplicate: 0, stale: 1, failed: 1, pollErrors: 0 });
    const deletes = sqs.calls.filter((c) => c.command === 'DeleteMessageBatchCommand');
    assert.equal(deletes.length, 1);
    assert.deepEqual(deletes[0]!.input.Entries.map((e: { ReceiptHandle: string }) => e.ReceiptHandle), ['r2', 'r1']);
    const deliveries = lines.map(parseDeliveryEmfLine).filter((d) => d !== undefined);
    assert.deepEqual(deliveries.map((d) => [d.version, d.outcome]), [[2, 'applied'], [1, 'stale']]);
    assert.equal(deliveries[0]!.hops.snsMs, 2);
    assert.equal(deliveries[0]!.hops.sqsMs, 8);
  });

  test('a start that fails part way removes the queues and subscription it created, then rethrows', async () => {
    const queues = new Map<unknown, (input: any) => unknown>([
      // Like SQS would be asked to: every queue the task creates is encrypted (SSE-SQS).
      [CreateQueueCommand, (input: { QueueName: string; Attributes?: Record<string, string> }) => {
        assert.equal(input.Attributes?.['SqsManagedSseEnabled'], 'true', `${input.QueueName} created without SqsManagedSseEnabled`);
        return { QueueUrl: `https://sqs.local/1/${input.QueueName}` };
      }],
      [GetQueueAttributesCommand, (input: { QueueUrl: string }) => ({ Attributes: { QueueArn: `arn:aws:sqs:us-east-1:1:${input.QueueUrl.split('/').at(-1)}` } })],
      [DeleteQueueCommand, () => ({})],
    ]);
    // The alarm is the last step: CloudWatch refuses it (the fake answers nothing).
    const { consumer, sqs, sns, cloudwatch } = consumerWith(queues, new Map<unknown, (input: any) => unknown>([[SubscribeCommand, () => ({ SubscriptionArn: 'arn:sub' })], [UnsubscribeCommand, () => ({})]]));
    await assert.rejects(consumer.start(), /unexpected PutMetricAlarmCommand/);
    assert.deepEqual(cloudwatch.calls.map((c) => c.command), ['PutMetricAlarmCommand']);
    assert.deepEqual(sns.calls.map((c) => [c.command, c.input.SubscriptionArn ?? c.input.TopicArn]), [['SubscribeCommand', 'arn:aws:sns:us-east-1:1:t'], ['UnsubscribeCommand', 'arn:sub']]);
    const deleted = sqs.calls.filter((c) => c.command === 'DeleteQueueCommand').map((c) => c.input.QueueUrl);
    assert.deepEqual(deleted, ['https://sqs.local/1/sst-fanout-task-unit', 'https://sqs.local/1/sst-fanout-task-unit-dlq']);
    const created = sqs.calls.filter((c) => c.command === 'CreateQueueCommand');
    assert.deepEqual(created.map((c) => c.input.QueueName), ['sst-fanout-task-unit-dlq', 'sst-fanout-task-unit']);
    for (const c of created) assert.deepEqual(Object.keys(c.input.tags).sort(), ['sst:name-prefix', 'sst:owner', 'sst:task-id']);
    assert.equal(created[1]!.input.tags['sst:owner'], consumer.owner);
    assert.match(String(consumer.owner), /^local:/);
  });

  test('health: unhealthy until ready or when the backlog exceeds the limit; a DLQ message is a warning, never a failed health check', async () => {
    let depths: Record<string, string> = { q: '0', dlq: '0' };
    const { consumer } = consumerWith(
      new Map([[GetQueueAttributesCommand, (input: { QueueUrl: string }) => ({ Attributes: { ApproximateNumberOfMessages: depths[input.QueueUrl], ApproximateNumberOfMessagesNotVisible: '0' } })]]),
    );
    assert.deepEqual(consumer.health(), { healthy: false, reasons: ['phase is starting'], warnings: [] });
    consumer.phase = 'ready';
    await consumer.checkQueues();
    assert.deepEqual(consumer.health(), { healthy: true, reasons: [], warnings: [] });
    depths = { q: '0', dlq: '1' };
    await consumer.checkQueues();
    assert.equal(consumer.health().healthy, true, 'a poison message must not make ECS replace the task');
    assert.deepEqual(consumer.health().warnings, ['1 message(s) in the DLQ dlq (see its CloudWatch alarm)']);
    depths = { q: '6', dlq: '1' };
    await consumer.checkQueues();
    assert.deepEqual(consumer.health().reasons, ['backlog 6 exceeds 5']);
    assert.equal(consumer.metrics()['dlqDepth'], 1);
  });

  test('stop never deletes a DLQ that holds messages (nor its alarm); an empty one goes with the queue', async () => {
    for (const [dlqDepth, expectDeleted] of [
      ['2', ['q']],
      ['0', ['q', 'dlq']],
    ] as const) {
      const { consumer, sqs, cloudwatch, lines } = consumerWith(
        new Map<unknown, (input: any) => unknown>([
          [DeleteQueueCommand, () => ({})],
          [GetQueueAttributesCommand, (input: { QueueUrl: string }) => ({ Attributes: { ApproximateNumberOfMessages: input.QueueUrl === 'dlq' ? dlqDepth : '0', ApproximateNumberOfMessagesNotVisible: '0' } })],
        ]),
        new Map<unknown, (input: any) => unknown>([[UnsubscribeCommand, () => ({})]]),
      );
      consumer.queues = { ...consumer.queues!, alarmName: 'sst-fanout-task-dlq-unit' };
      (cloudwatch as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command: unknown) => {
        cloudwatch.calls.push({ command: (command as { constructor: { name: string } }).constructor.name, input: (command as { input: unknown }).input });
        return {};
      };
      consumer.phase = 'ready';
      await consumer.stop();
      assert.deepEqual(sqs.calls.filter((c) => c.command === 'DeleteQueueCommand').map((c) => c.input.QueueUrl), expectDeleted);
      assert.equal(cloudwatch.calls.filter((c) => c.command === 'DeleteAlarmsCommand').length, dlqDepth === '0' ? 1 : 0);
      const kept = lines.map((l) => JSON.parse(l)).find((e) => e.event === 'fanout.dlq-kept');
      assert.equal(kept?.dlqDepth, dlqDepth === '0' ? undefined : 2);
    }
  });

  test('applies a change published by the EventBridge Pipe (its input template, rendered as AWS does)', async () => {
    const { consumer } = consumerWith(new Map([[DeleteMessageBatchCommand, () => ({ Successful: [], Failed: [] })]]));
    const now = Date.now();
    const record = { eventName: 'MODIFY', dynamodb: { SequenceNumber: '42', NewImage: { id: { S: 'current' }, version: { N: '7' }, writtenAt: { N: String(now) }, payload: { S: '{"seq":7,"note":"say \\"hi\\""}' } } } };
    const message = renderPipeInputTemplate(PIPE_INPUT_TEMPLATE, record);
    await consumer.handleBatch('q', [
      {
        MessageId: 'p7',
        ReceiptHandle: 'r7',
        Body: JSON.stringify({ Type: 'Notification', Message: message, Timestamp: new Date(now + 5).toISOString() }),
        Attributes: { SentTimestamp: String(now + 6), ApproximateFirstReceiveTimestamp: String(now + 7), ApproximateReceiveCount: '1' },
      },
    ]);
    assert.deepEqual(consumer.state, { id: 'current', version: 7, payload: { seq: 7, note: 'say "hi"' }, writtenAt: now });
    assert.equal(consumer.counters.failed, 0);
  });
});
