import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand, StopTaskCommand, UpdateServiceCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { ConsumerFleet } from '../../local-stage/fanout/consumer-fleet.ts';

/**
 * What the fault options need from the consumer service: stop one task the way ECS does (SIGTERM, then
 * the service starts a replacement), change the desired count, and say which owners are still alive
 * (for the orphan reaper). One implementation drives ECS, the other the local stage's fleet.
 */
export interface FleetControl {
  /** Task ids of the running tasks (ECS: the task ARN's last segment, which the consumer uses as its id). */
  runningTaskIds(): Promise<string[]>;
  /** Stops one task as ECS stops it; the service replaces it. Returns the stopped task's id. */
  stopTask(taskId: string, reason: string): Promise<void>;
  desiredCount(): Promise<number>;
  setDesiredCount(count: number): Promise<void>;
  /** Waits for background work it started (local replacements); ECS needs none. */
  settle(): Promise<void>;
}

/** ECS: the fan-out service of the deployed stack (cluster and service names from the outputs). */
export class EcsFleetControl implements FleetControl {
  constructor(
    private readonly ecs: ECSClient,
    private readonly cluster: string,
    private readonly service: string,
  ) {}

  private async taskArns(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.ecs.send(new ListTasksCommand({ cluster: this.cluster, serviceName: this.service, desiredStatus: 'RUNNING', nextToken }));
      arns.push(...(page.taskArns ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return arns;
  }

  async runningTaskIds(): Promise<string[]> {
    return (await this.taskArns()).map((arn) => arn.split('/').at(-1)!);
  }

  async stopTask(taskId: string, reason: string): Promise<void> {
    const arn = (await this.taskArns()).find((a) => a.endsWith(`/${taskId}`)) ?? taskId;
    await this.ecs.send(new StopTaskCommand({ cluster: this.cluster, task: arn, reason }));
  }

  async desiredCount(): Promise<number> {
    const { services } = await this.ecs.send(new DescribeServicesCommand({ cluster: this.cluster, services: [this.service] }));
    const service = services?.[0];
    if (service?.desiredCount === undefined) throw new Error(`ECS service ${this.service} not found in cluster ${this.cluster}.`);
    return service.desiredCount;
  }

  async setDesiredCount(count: number): Promise<void> {
    await this.ecs.send(new UpdateServiceCommand({ cluster: this.cluster, service: this.service, desiredCount: count }));
  }

  async settle(): Promise<void> {}

  /**
   * Of these owner tags, the ones to keep: ECS task ARNs whose task has not stopped (DescribeTasks, up to
   * 100 at a time; a task ECS no longer knows, reported as a failure, is gone), and every owner that is
   * not an ECS task ARN.
   */
  async aliveOwners(owners: readonly string[]): Promise<Set<string>> {
    // An owner that is not an ECS task ARN (a consumer run elsewhere) cannot be checked: never reaped.
    const alive = new Set<string>(owners.filter((o) => !(o.startsWith('arn:') && o.includes(':task/'))));
    const arns = owners.filter((o) => o.startsWith('arn:') && o.includes(':task/'));
    for (let i = 0; i < arns.length; i += 100) {
      let tasks;
      try {
        ({ tasks } = await this.ecs.send(new DescribeTasksCommand({ cluster: this.cluster, tasks: arns.slice(i, i + 100) })));
      } catch (error) {
        // The cluster is gone (after a destroy): so is every task it ran.
        if ((error as { name?: string }).name === 'ClusterNotFoundException') return alive;
        throw error;
      }
      for (const task of tasks ?? []) if (task.taskArn && task.lastStatus !== 'STOPPED' && task.desiredStatus !== 'STOPPED') alive.add(task.taskArn);
    }
    return alive;
  }
}

/**
 * The local stage's fleet driven like an ECS service: a stopped task gets a replacement (the service
 * scheduler's job on AWS); the desired count starts or stops tasks (newest first).
 */
export class LocalFleetControl implements FleetControl {
  private desired: number;
  private readonly background: Promise<unknown>[] = [];

  constructor(private readonly fleet: ConsumerFleet) {
    this.desired = fleet.running().length;
  }

  async runningTaskIds(): Promise<string[]> {
    return this.fleet.running().map((t) => t.taskId);
  }

  async stopTask(taskId: string): Promise<void> {
    this.background.push(this.fleet.stopTask(taskId));
    // The replacement starts while the old task drains, as the ECS scheduler does.
    this.background.push(this.fleet.startTask());
  }

  async desiredCount(): Promise<number> {
    return this.desired;
  }

  async setDesiredCount(count: number): Promise<void> {
    this.desired = count;
    // Like ECS, converge on the desired count once the tasks still starting are up (they count too).
    const starting = Promise.allSettled(this.background);
    this.background.push(starting.then(() => converge(this.fleet, count)));
  }

  async settle(): Promise<void> {
    await Promise.all(this.background);
  }
}

/** Starts or stops tasks (newest first) until `count` run. */
export async function converge(fleet: ConsumerFleet, count: number): Promise<void> {
  const running = fleet.running();
  if (count > running.length) await fleet.startTasks(count - running.length);
  await Promise.all(running.slice(count).reverse().map((task) => fleet.stopTask(task.taskId)));
}
