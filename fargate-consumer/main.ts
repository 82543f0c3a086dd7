import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readConsumerConfig } from './config.ts';
import { FanoutConsumer } from './consumer.ts';
import { startHealthServer } from './http.ts';
import { ecsTaskIdentity } from './owner.ts';

// The container's entry: configuration once, clients from the standard AWS environment
// (AWS_ENDPOINT_URL_* points them at local services), one line of JSON per event on stdout.
// On ECS the task id and owner tag are the ECS task's own (unless the environment sets them).
const ecs = process.env['FANOUT_TASK_ID'] ? undefined : await ecsTaskIdentity();
const config = readConsumerConfig(ecs ? { ...process.env, FANOUT_TASK_ID: ecs.taskId, FANOUT_OWNER: process.env['FANOUT_OWNER'] || ecs.taskArn } : process.env);
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const consumer = new FanoutConsumer(
  config,
  { sqs: new SQSClient({}), sns: new SNSClient({}), cloudwatch: new CloudWatchClient({}), dynamodb: new DynamoDBClient({}) },
  log,
);

// Health first, so the orchestrator sees "starting" (503) rather than a refused connection.
const { server, port } = await startHealthServer(consumer, config.port);
log(JSON.stringify({ event: 'fanout.listening', taskId: config.taskId, port }));

// Started before the signal handlers are installed so that a SIGTERM during start waits for it, then
// removes whatever start created.
const starting = consumer.start();

let stopping = false;
async function shutdown(reason: string, exitCode: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log(JSON.stringify({ event: 'fanout.stopping', taskId: config.taskId, reason }));
  const deadline = setTimeout(() => {
    log(JSON.stringify({ event: 'fanout.drain-timeout', taskId: config.taskId, afterMs: config.drainTimeoutMs }));
    process.exit(1);
  }, config.drainTimeoutMs);
  deadline.unref();
  try {
    // A failed start is logged as fanout.start-failed below; stop() then removes what it created.
    await starting.catch(() => undefined);
    await consumer.stop();
    server.close();
    process.exit(exitCode);
  } catch (error) {
    log(JSON.stringify({ event: 'fanout.stop-failed', taskId: config.taskId, error: String(error) }));
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
// Local stage only: the stage that started this task names itself; if it dies (kill -9), the task stops too.
const parentPid = Number(process.env['FANOUT_PARENT_PID'] ?? '');
if (Number.isInteger(parentPid) && parentPid > 0) {
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      void shutdown('the local stage that started this task is gone', 1);
    }
  }, 1000).unref();
}
process.on('SIGINT', () => void shutdown('SIGINT', 0));

try {
  await starting;
} catch (error) {
  log(JSON.stringify({ event: 'fanout.start-failed', taskId: config.taskId, error: String(error) }));
  await shutdown('start failed', 1);
}
