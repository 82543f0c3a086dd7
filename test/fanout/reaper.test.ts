import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { CreateQueueCommand, GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { consumerQueueNames, OWNER_TAGS } from '../../lib/fanout/constants.ts';
import { startLocalMessaging } from '../../local-stage/fanout/messaging.ts';
import { localClientConfig } from '../../local-stage/local-aws.ts';
import { localAliveOwners, reapFanoutOrphans } from '../../runner/fanout/reaper.ts';

const deadOwner = () => `local:${hostname()}:${spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout}`;

/** CloudWatch has no local stand-in: alarms as a table, the calls recorded. */
function fakeCloudWatch(alarms: { name: string; owner: string }[]) {
  const deleted: string[] = [];
  return {
    deleted,
    send: async (command: { constructor: { name: string }; input: any }) => {
      switch (command.constructor.name) {
        case 'DescribeAlarmsCommand':
          return { MetricAlarms: alarms.filter((a) => a.name.startsWith(command.input.AlarmNamePrefix)).map((a) => ({ AlarmName: a.name, AlarmArn: `arn:aws:cloudwatch:us-east-1:1:alarm:${a.name}` })) };
        case 'ListTagsForResourceCommand': {
          const alarm = alarms.find((a) => command.input.ResourceARN.endsWith(`:${a.name}`));
          return { Tags: alarm ? [{ Key: OWNER_TAGS.owner, Value: alarm.owner }] : [] };
        }
        case 'DeleteAlarmsCommand':
          deleted.push(...command.input.AlarmNames);
          return {};
        default:
          throw new Error(`unexpected ${command.constructor.name}`);
      }
    },
  };
}

describe('orphan reaper (fauxqs)', () => {
  let messaging: Awaited<ReturnType<typeof startLocalMessaging>>;
  let sqs: SQSClient;
  before(async () => {
    messaging = await startLocalMessaging();
    sqs = new SQSClient(localClientConfig(messaging.endpoint));
  });
  after(async () => {
    sqs?.destroy();
    await messaging?.close();
  });

  const create = async (name: string, owner: string | undefined, taskId: string) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, ...(owner ? { tags: { [OWNER_TAGS.owner]: owner, [OWNER_TAGS.taskId]: taskId } } : {}) }))).QueueUrl!;
  const exists = async (name: string) =>
    sqs.send(new GetQueueUrlCommand({ QueueName: name })).then(
      () => true,
      () => false,
    );

  test("removes a dead owner's queue, empty DLQ and alarm; keeps a DLQ holding messages, live owners' queues and other copies'", async () => {
    const dead = deadOwner();
    const live = `local:${hostname()}:${process.pid}`;
    const gone = consumerQueueNames('rp', 'gone');
    const poisoned = consumerQueueNames('rp', 'poisoned');
    const running = consumerQueueNames('rp', 'running');
    const otherCopy = consumerQueueNames('other', 'gone');
    await create(gone.queue, dead, 'gone');
    await create(gone.dlq, dead, 'gone');
    await create(poisoned.queue, dead, 'poisoned');
    const poisonedDlq = await create(poisoned.dlq, dead, 'poisoned');
    await sqs.send(new SendMessageCommand({ QueueUrl: poisonedDlq, MessageBody: 'evidence' }));
    await create(running.queue, live, 'running');
    await create(running.dlq, live, 'running');
    await create(otherCopy.queue, dead, 'gone');
    await create(consumerQueueNames('rp', 'old').queue, undefined, 'old');
    const cloudwatch = fakeCloudWatch([
      { name: gone.alarm, owner: dead },
      { name: poisoned.alarm, owner: dead },
      { name: running.alarm, owner: live },
    ]);

    const report = await reapFanoutOrphans({ sqs, cloudwatch: cloudwatch as never, namePrefix: 'rp', aliveOwners: async (owners) => localAliveOwners(owners) });

    assert.equal(await exists(gone.queue), false);
    assert.equal(await exists(gone.dlq), false);
    assert.equal(await exists(poisoned.queue), false);
    assert.equal(await exists(poisoned.dlq), true, 'the DLQ with a message stays');
    assert.deepEqual(report.keptDlqs.map((k) => [k.queueUrl.split('/').at(-1), k.messages]), [[poisoned.dlq, 1]]);
    assert.equal(await exists(running.queue), true);
    assert.equal(await exists(running.dlq), true);
    assert.equal(await exists(otherCopy.queue), true, "another copy's queues are never looked at");
    assert.equal(report.untagged.length, 1);
    assert.deepEqual(cloudwatch.deleted, [gone.alarm], "the poisoned DLQ's alarm stays with it; the live one's too");
    assert.deepEqual(report.errors, []);
  });

  test('an owner on another host is never taken for dead', () => {
    assert.deepEqual([...localAliveOwners(['local:some-other-host:1'])], ['local:some-other-host:1']);
  });
});
