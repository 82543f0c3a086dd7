import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, type Message } from '@aws-sdk/client-sqs';
import { readConsumerConfig } from '../../fargate-consumer/config.ts';
import { FanoutConsumer } from '../../fargate-consumer/consumer.ts';
import { CONSUMER_ENV } from '../../lib/fanout/constants.ts';
import { parseDeliveryEmfLine } from '../../lib/fanout/emf.ts';

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

function consumerWith(sqsAnswers: Map<unknown, (input: any) => unknown>) {
  const config = readConsumerConfig({
    [CONSUMER_ENV.topicArn]: 'arn:aws:sns:us-east-1:1:t',
    [CONSUMER_ENV.tableName]: 'fanout-state',
    [CONSUMER_ENV.taskId]: 'unit',
    [CONSUMER_ENV.maxBacklog]: '5',
  });
  const sqs = fakeClient(sqsAnswers);
  const lines: string[] = [];
  const consumer = new FanoutConsumer(config, { sqs, sns: fakeClient(new Map()), cloudwatch: fakeClient(new Map()), dynamodb: fakeClient(new Map()) } as never, (l) => lines.push(l));
  consumer.queues = { queueUrl: 'q', queueArn: 'arn:q', dlqUrl: 'dlq', dlqName: 'dlq', subscriptionArn: 's', alarmName: undefined };
  return { consumer, sqs, lines };
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

  test('health: unhealthy until ready, when the DLQ holds messages, or when the backlog exceeds the limit', async () => {
    let depths: Record<string, string> = { q: '0', dlq: '0' };
    const { consumer } = consumerWith(
      new Map([[GetQueueAttributesCommand, (input: { QueueUrl: string }) => ({ Attributes: { ApproximateNumberOfMessages: depths[input.QueueUrl], ApproximateNumberOfMessagesNotVisible: '0' } })]]),
    );
    assert.deepEqual(consumer.health(), { healthy: false, reasons: ['phase is starting'] });
    consumer.phase = 'ready';
    await consumer.checkQueues();
    assert.deepEqual(consumer.health(), { healthy: true, reasons: [] });
    depths = { q: '6', dlq: '1' };
    await consumer.checkQueues();
    assert.deepEqual(consumer.health().reasons, ['1 message(s) in the DLQ', 'backlog 6 exceeds 5']);
    assert.equal(consumer.metrics()['dlqDepth'], 1);
  });
});
