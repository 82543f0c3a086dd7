import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsumerFleet } from './consumer-fleet.ts';

const TARGET_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/**
 * A stand-in for the five ECS calls the fan-out runner makes (ListTasks, DescribeTasks,
 * DescribeServices, UpdateService, StopTask), in ECS's JSON protocol, backed by the local stage's
 * consumer fleet: one cluster, one service, task ARNs `arn:aws:ecs:<region>:000000000000:task/<cluster>/<task id>`.
 * StopTask stops the task (SIGTERM, then SIGKILL after the stop timeout) and, like the service scheduler,
 * starts a replacement; UpdateService starts or stops tasks to the desired count. Only what the
 * runner reads is answered; anything else is a 400 `UnknownOperationException`.
 */
export async function startEcsStandIn(options: { fleet: ConsumerFleet; cluster: string; service: string; region: string }): Promise<{ endpoint: string; close: () => Promise<void>; settle: () => Promise<void> }> {
  const { fleet } = options;
  const arn = (taskId: string) => `arn:aws:ecs:${options.region}:000000000000:task/${options.cluster}/${taskId}`;
  let desired = fleet.running().length;
  const background: Promise<unknown>[] = [];
  const describe = (taskId: string) => {
    const task = fleet.tasks.get(taskId);
    if (!task) return undefined;
    const stopped = task.stoppedAt !== undefined;
    return { taskArn: arn(taskId), lastStatus: stopped ? (task.child.exitCode !== null || task.child.signalCode !== null ? 'STOPPED' : 'DEPROVISIONING') : 'RUNNING', desiredStatus: stopped ? 'STOPPED' : 'RUNNING' };
  };
  const handlers: Record<string, (input: Record<string, any>) => unknown> = {
    ListTasks: (input) => ({ taskArns: input['desiredStatus'] === 'STOPPED' ? [] : fleet.running().map((t) => arn(t.taskId)) }),
    DescribeTasks: (input) => {
      const ids = (input['tasks'] as string[]).map((t) => t.split('/').at(-1)!);
      return { tasks: ids.flatMap((id) => describe(id) ?? []), failures: ids.filter((id) => !fleet.tasks.has(id)).map((id) => ({ arn: arn(id), reason: 'MISSING' })) };
    },
    DescribeServices: () => ({ services: [{ serviceName: options.service, desiredCount: desired, runningCount: fleet.running().length, status: 'ACTIVE' }], failures: [] }),
    UpdateService: (input) => {
      desired = Number(input['desiredCount']);
      const target = desired;
      // Converge once the tasks still starting are up (they count towards the desired count).
      background.push(
        Promise.allSettled([...background]).then(async () => {
          const running = fleet.running();
          if (target > running.length) await fleet.startTasks(target - running.length);
          await Promise.all(running.slice(target).reverse().map((task) => fleet.stopTask(task.taskId)));
        }),
      );
      return { service: { serviceName: options.service, desiredCount: desired } };
    },
    StopTask: (input) => {
      const id = String(input['task']).split('/').at(-1)!;
      if (!fleet.tasks.has(id)) throw Object.assign(new Error(`task ${id} not found`), { type: 'InvalidParameterException' });
      background.push(fleet.stopTask(id));
      background.push(fleet.startTask());
      return { task: describe(id) };
    },
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const handler = target.startsWith(TARGET_PREFIX) ? handlers[target.slice(TARGET_PREFIX.length)] : undefined;
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(value));
      };
      if (!handler) return send(400, { __type: 'UnknownOperationException', message: `The stand-in does not answer ${target}` });
      try {
        send(200, handler(JSON.parse(body || '{}') as Record<string, any>));
      } catch (error) {
        send(400, { __type: (error as { type?: string }).type ?? 'ServerException', message: (error as Error).message });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
    settle: async () => {
      await Promise.all(background);
    },
  };
}
