import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeliveryRecord } from '../../lib/fanout/emf.ts';
import { parseReceiptBody, type Receipt, type TaskEvent } from '../../lib/fanout/receipts.ts';
import type { TaskWindow } from './report.ts';

/**
 * Reads the receipts queue: long polls (20 s, 10 messages) from `pollers` loops, hands every parsed
 * receipt to `onReceipts` (which journals them and resolves once they are on disk), and only then
 * deletes the messages. A receipt the runner never stored is therefore never deleted: a crash between
 * the two makes SQS deliver it again after the visibility timeout, to this run or the next.
 */
export class ReceiptCollector {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  readonly stats = { messages: 0, receipts: 0, receiveErrors: 0 };

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly onReceipts: (receipts: Receipt[]) => Promise<void>,
    private readonly options: { pollers?: number; waitTimeS?: number; log?: (line: string) => void } = {},
  ) {}

  start(): void {
    this.loops = Array.from({ length: this.options.pollers ?? 2 }, () => this.loop());
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const { Messages } = await this.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: this.options.waitTimeS ?? 20, VisibilityTimeout: 60 }),
          { abortSignal: this.abort.signal },
        );
        if (!Messages || Messages.length === 0) continue;
        const receipts = Messages.flatMap((m) => parseReceiptBody(m.Body ?? ''));
        this.stats.messages += Messages.length;
        this.stats.receipts += receipts.length;
        await this.onReceipts(receipts);
        await this.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
        );
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.stats.receiveErrors += 1;
        this.options.log?.(`receipts: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }
}

/**
 * The runner's picture of the tasks, built from receipts: who answered a roll call (present and ready
 * since `readyAt`), who became ready during the run, who stopped, DLQ depths. Times are the tasks'
 * clocks (see the clock caveats).
 */
export class ReceiptTaskTracker {
  readonly windows = new Map<string, TaskWindow>();
  readonly deliveries: DeliveryRecord[] = [];
  readonly rollCalls = new Map<string, Map<string, TaskEvent>>();
  readonly dlqDepth = new Map<string, number>();

  constructor(private readonly runStartedAt: number) {}

  /** Applies receipts; returns the windows that changed (to journal). */
  apply(receipts: readonly Receipt[]): TaskWindow[] {
    const changed = new Map<string, TaskWindow>();
    for (const receipt of receipts) {
      if (receipt.kind === 'delivery') {
        this.deliveries.push(receipt.delivery);
        continue;
      }
      const e = receipt.event;
      const window = this.windows.get(e.taskId);
      if (e.event === 'fanout.roll-call') {
        const callId = String(e['callId']);
        if (!this.rollCalls.has(callId)) continue; // a roll call of another run
        this.rollCalls.get(callId)!.set(e.taskId, e);
        if (window === undefined && e['phase'] === 'ready') {
          const readyAt = typeof e['readyAt'] === 'number' ? e['readyAt'] : e.at;
          changed.set(e.taskId, this.set({ taskId: e.taskId, readyAt, stoppedAt: undefined }));
        }
      } else if (e.event === 'fanout.ready' && e.at >= this.runStartedAt && window === undefined) {
        changed.set(e.taskId, this.set({ taskId: e.taskId, readyAt: e.at, stoppedAt: undefined }));
      } else if (e.event === 'fanout.stopping' && window !== undefined && window.stoppedAt === undefined) {
        changed.set(e.taskId, this.set({ ...window, stoppedAt: e.at }));
      } else if (e.event === 'fanout.dlq' || e.event === 'fanout.dlq-kept') {
        this.dlqDepth.set(e.taskId, Number(e['dlqDepth'] ?? 0));
      }
    }
    return [...changed.values()];
  }

  private set(window: TaskWindow): TaskWindow {
    this.windows.set(window.taskId, window);
    return window;
  }

  /** Starts expecting answers to a roll call. */
  expectRollCall(callId: string): void {
    this.rollCalls.set(callId, new Map());
  }

  answers(callId: string): Map<string, TaskEvent> {
    return this.rollCalls.get(callId) ?? new Map();
  }
}
