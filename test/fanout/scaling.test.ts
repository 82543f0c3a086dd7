import assert from 'node:assert/strict';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { after, before, describe, test } from 'node:test';
import { consumerQueueNames } from '../../lib/fanout/constants.ts';
import { startFanoutStage, type FanoutStage } from '../../local-stage/fanout/index.ts';
import { driveMutations } from '../../runner/fanout/drive.ts';
import { collectReport, currentVersion } from '../../runner/fanout/run-fanout.ts';

// The scaling case at its own numbers: 20 tasks, 5 more join mid-run, then 5 leave.
describe('fan-out scaling from 20 to 25 tasks and back (local stage)', () => {
  let stage: FanoutStage;

  before(async () => {
    stage = await startFanoutStage({ tasks: 20, log: () => {} });
  });

  after(async () => {
    await stage?.stop();
  });

  test('every task present for a change applies it; leaving tasks drain and delete their queues', async () => {
    const original = stage.consumers.running();
    assert.equal(original.length, 20);
    const leaving = original.slice(0, 5);
    const stopped: { taskId: string; code: number | null; graceful: boolean }[] = [];
    let peak = 0;
    const from = await currentVersion(stage);
    const mutations = await driveMutations({
      url: stage.graphqlUrl,
      stateId: stage.stateId,
      fromVersion: from,
      iterations: 60,
      intervalMs: 50,
      onSent: async (i) => {
        if (i === 14) {
          await stage.consumers.startTasks(5);
          peak = stage.consumers.running().length;
        }
        if (i === 39) {
          for (const task of leaving) stopped.push({ taskId: task.taskId, ...(await stage.consumers.stopTask(task.taskId)) });
        }
      },
    });
    assert.equal(peak, 25, 'scaled up to 25 running tasks');
    assert.equal(stage.consumers.running().length, 20, 'scaled back to 20');

    const report = await collectReport(stage, mutations, 15_000);
    assert.equal(report.totals.missing, 0, JSON.stringify(report.tasks.filter((t) => t.missing > 0)));
    assert.equal(report.tasks.length, 25);
    const joined = report.tasks.filter((t) => !original.some((o) => o.taskId === t.taskId));
    assert.equal(joined.length, 5);
    for (const task of joined) assert.ok(task.expected > 0 && task.expected < 60, `${task.taskId} expected ${task.expected} changes`);
    for (const s of stopped) {
      assert.equal(s.graceful, true, `${s.taskId} drained within the stop timeout`);
      assert.equal(s.code, 0);
      await assert.rejects(stage.clients.sqs.send(new GetQueueUrlCommand({ QueueName: consumerQueueNames(stage.namePrefix, s.taskId).queue })), /exist/i);
    }
  });
});
