import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KitError } from '../../lib/errors.ts';
import { parseDeliveryEmfLine, type DeliveryRecord } from '../../lib/fanout/emf.ts';

export class ConsumerStartError extends KitError {
  constructor(taskId: string, message: string, recent: string[]) {
    super('FANOUT_CONSUMER_START_FAILED', `consumer ${taskId}: ${message}. Last output:\n${recent.join('\n')}`, { context: { taskId } });
  }
}

export interface ConsumerTask {
  taskId: string;
  pid: number;
  /** Port of the task's /health and /metrics (from its `fanout.listening` line). */
  port: number;
  startedAt: number;
  /** When the task reported `fanout.ready` (state loaded, polling): from here on it must get every change. */
  readyAt: number;
  /** Version it loaded at start (null: no record yet). */
  loadedVersion: number | null;
  /** When the stage asked it to stop (SIGTERM) or killed it; undefined while it runs. */
  stoppedAt: number | undefined;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  child: ChildProcess;
}

/**
 * The consumer containers of the local stage: each `node dist/fargate-consumer/main.mjs` with the
 * task's environment, in its own process group. Every stdout line is kept; EMF delivery lines are
 * collected as the task's deliveries (the lines CloudWatch would turn into metrics).
 */
export type FleetEvent = { type: 'delivery'; delivery: DeliveryRecord } | { type: 'ready'; task: ConsumerTask } | { type: 'stopped'; task: ConsumerTask };

export class ConsumerFleet {
  readonly tasks = new Map<string, ConsumerTask>();
  readonly deliveries: DeliveryRecord[] = [];
  /** Called for every delivery line, task ready and task stop (the runner journals them as they happen). */
  readonly listeners = new Set<(event: FleetEvent) => void>();
  private notify(event: FleetEvent): void {
    for (const listener of this.listeners) listener(event);
  }
  /** Every process started, ready or not, so stopAll() leaves nothing behind after a failed start. */
  private readonly children = new Set<ChildProcess>();
  private nextIndex = 0;

  constructor(
    private readonly options: {
      bundle: string;
      env: Record<string, string>;
      log: (line: string) => void;
      /** Grace period after SIGTERM before SIGKILL (Fargate's stopTimeout, default 30 s). */
      stopTimeoutMs: number;
      startTimeoutMs: number;
    },
  ) {}

  running(): ConsumerTask[] {
    return [...this.tasks.values()].filter((t) => t.stoppedAt === undefined);
  }

  /** Starts `count` tasks in parallel and resolves once each reported ready. */
  async startTasks(count: number, extraEnv: Record<string, string> = {}): Promise<ConsumerTask[]> {
    return Promise.all(Array.from({ length: count }, () => this.startTask(extraEnv)));
  }

  async startTask(extraEnv: Record<string, string> = {}): Promise<ConsumerTask> {
    this.nextIndex += 1;
    const taskId = `t${String(this.nextIndex).padStart(3, '0')}`;
    const startedAt = Date.now();
    const child = spawn(process.execPath, [this.options.bundle], {
      env: { PATH: process.env['PATH'] ?? '', ...this.options.env, FANOUT_TASK_ID: taskId, PORT: '0', FANOUT_PARENT_PID: String(process.pid), ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.children.add(child);
    /** The task's last output lines (stdout and stderr), quoted when it fails to start. */
    const recent: string[] = [];
    const remember = (line: string) => {
      recent.push(line);
      if (recent.length > 50) recent.shift();
    };
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    createInterface({ input: child.stderr! }).on('line', (line) => {
      remember(line);
      this.options.log(`${taskId}: ${line}`);
    });
    return new Promise<ConsumerTask>((resolve, reject) => {
      let port = 0;
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        killGroup(child, 'SIGKILL');
        reject(new ConsumerStartError(taskId, message, recent.slice(-20)));
      };
      const timer = setTimeout(() => fail(`not ready within ${this.options.startTimeoutMs} ms`), this.options.startTimeoutMs);
      void exit.then(({ code, signal }) => fail(`exited (${signal ?? code}) before it was ready`));
      child.once('error', (error) => fail(error.message));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const delivery = parseDeliveryEmfLine(line);
        if (delivery !== undefined) {
          this.deliveries.push(delivery);
          this.notify({ type: 'delivery', delivery });
          return;
        }
        remember(line);
        let event: Record<string, unknown> | undefined;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          event = undefined;
        }
        if (event?.['event'] === 'fanout.listening') port = Number(event['port']);
        else if (event?.['event'] === 'fanout.ready' && !settled) {
          settled = true;
          clearTimeout(timer);
          const task: ConsumerTask = {
            taskId,
            pid: child.pid!,
            port,
            startedAt,
            readyAt: Date.now(),
            loadedVersion: (event['version'] as number | null) ?? null,
            stoppedAt: undefined,
            exit,
            child,
          };
          this.tasks.set(taskId, task);
          this.notify({ type: 'ready', task });
          resolve(task);
        } else if (event === undefined || String(event['event']).endsWith('failed')) this.options.log(`${taskId}: ${line}`);
      });
    });
  }

  /** SIGTERM (the ECS stop): the task drains and deletes its queues; SIGKILL after the stop timeout. */
  async stopTask(taskId: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; graceful: boolean }> {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`No task ${taskId}.`);
    if (task.stoppedAt === undefined) {
      task.stoppedAt = Date.now();
      this.notify({ type: 'stopped', task });
    }
    if (task.child.exitCode !== null || task.child.signalCode !== null) return { ...(await task.exit), graceful: false };
    killGroup(task.child, 'SIGTERM');
    let graceful = true;
    const timer = setTimeout(() => {
      graceful = false;
      killGroup(task.child, 'SIGKILL');
    }, this.options.stopTimeoutMs);
    const result = await task.exit;
    clearTimeout(timer);
    return { ...result, graceful };
  }

  /** SIGKILL with no warning: a crashed container. Its queues stay behind. */
  async killTask(taskId: string): Promise<void> {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`No task ${taskId}.`);
    if (task.stoppedAt === undefined) {
      task.stoppedAt = Date.now();
      this.notify({ type: 'stopped', task });
    }
    killGroup(task.child, 'SIGKILL');
    await task.exit;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.tasks.values()].map((t) => this.stopTask(t.taskId).catch(() => killGroup(t.child, 'SIGKILL'))));
    const ready = new Set([...this.tasks.values()].map((t) => t.child));
    for (const child of this.children) if (!ready.has(child)) killGroup(child, 'SIGKILL');
  }
}

/** Signals the child's whole process group (it was spawned detached), falling back to the child alone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
