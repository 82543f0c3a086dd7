import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { deliveryEmfLine } from '../../lib/fanout/emf.ts';
import { parseFanoutOutputs } from '../../lib/fanout/outputs.ts';
import { packReceiptLines, parseReceiptBody, rollCallId, rollCallMessage } from '../../lib/fanout/receipts.ts';
import { planFaults } from '../../runner/fanout/faults.ts';
import { ReceiptTaskTracker } from '../../runner/fanout/receipts-collector.ts';

const delivery = { taskId: 't1', stateId: 'current', version: 3, outcome: 'applied' as const, messageId: 'm', receiveCount: 1, writtenAt: 1000, appliedAt: 1100, hops: { streamMs: 10, snsMs: 20, sqsMs: 30, consumeMs: 40, endToEndMs: 100 } };

describe('receipts', () => {
  test('lines are packed into bodies under the size limit, in order, and parsed back', () => {
    const lines = [deliveryEmfLine('ns', delivery), JSON.stringify({ event: 'fanout.ready', taskId: 't1', at: 5 }), 'not json', JSON.stringify({ event: 'other', taskId: 'x' })];
    const bodies = packReceiptLines(lines, 400);
    assert.ok(bodies.length >= 2 && bodies.every((b) => Buffer.byteLength(b) <= 400 || !b.includes('\n')));
    const receipts = bodies.flatMap(parseReceiptBody);
    assert.deepEqual(receipts.map((r) => r.kind), ['delivery', 'event']);
    assert.deepEqual(receipts[0], { kind: 'delivery', delivery });
    assert.equal(rollCallId(JSON.parse(rollCallMessage('c1'))), 'c1');
    assert.equal(rollCallId({ kind: 'dynamodb-new-image' }), undefined);
  });

  test('the tracker takes windows from roll calls of this run, ready and stopping events; ignores other runs', () => {
    const tracker = new ReceiptTaskTracker(1000);
    tracker.expectRollCall('c1');
    const ev = (event: string, taskId: string, at: number, extra: Record<string, unknown> = {}) => ({ kind: 'event' as const, event: { event, taskId, at, ...extra } });
    const changed = tracker.apply([
      ev('fanout.roll-call', 'a', 1001, { callId: 'c1', phase: 'ready', readyAt: 500 }),
      ev('fanout.roll-call', 'z', 1001, { callId: 'old', phase: 'ready', readyAt: 500 }),
      ev('fanout.roll-call', 'b', 1001, { callId: 'c1', phase: 'starting', readyAt: null }),
      ev('fanout.ready', 'old', 900),
      ev('fanout.ready', 'c', 1500),
      ev('fanout.stopping', 'a', 2000),
      { kind: 'delivery', delivery },
    ]);
    assert.deepEqual(changed, [
      { taskId: 'a', readyAt: 500, stoppedAt: 2000 },
      { taskId: 'c', readyAt: 1500, stoppedAt: undefined },
    ]);
    assert.equal(tracker.answers('c1').size, 2);
    assert.equal(tracker.deliveries.length, 1);
  });

  test('fault steps: scale out at 20 %, stop at 30 %, poison at 50 %, scale in at 60 %', () => {
    assert.deepEqual(
      planFaults(['poison', 'scale', 'stop-task'], 100).map((s) => [s.action, s.afterMutations]),
      [['scale-out', 20], ['stop-task', 30], ['poison', 50], ['scale-in', 60]],
    );
    assert.deepEqual(planFaults([], 100), []);
  });

  test('fan-out outputs: every key the AWS run needs, with plain errors', () => {
    const ok = { graphqlUrl: 'https://x.appsync-api.us-east-1.amazonaws.com/graphql', graphqlApiKey: 'k', topicArn: 'arn', receiptsQueueUrl: 'q', clusterName: 'c', serviceName: 's', namePrefix: 'sst', region: 'us-east-1', processorKind: 'pipe' };
    assert.equal(parseFanoutOutputs({ fanout: ok }, 'o.json').processorKind, 'pipe');
    assert.throws(() => parseFanoutOutputs({}, 'o.json'), /no "fanout" stack outputs/);
    assert.throws(() => parseFanoutOutputs({ fanout: { ...ok, receiptsQueueUrl: undefined } }, 'o.json'), /lacks output "fanout.receiptsQueueUrl"/);
    assert.throws(() => parseFanoutOutputs({ fanout: { ...ok, processorKind: 'kinesis' } }, 'o.json'), /lambda or pipe/);
  });
});
