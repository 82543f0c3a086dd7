import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { deliveryEmfLine, type DeliveryRecord } from '../lib/fanout/emf.ts';
import { hopDurations, type HopDurations } from '../lib/fanout/hops.ts';
import { parseReceivedChange, RECEIVE_SYSTEM_ATTRIBUTES, rollCallOf } from '../lib/fanout/sqs-message.ts';
import { applyChange, stateFromStoredItem, type FanoutState } from '../lib/fanout/state.ts';
import type { ConsumerConfig } from './config.ts';
import { resolveOwner } from './owner.ts';
import { deleteTaskQueues, provisionTaskQueues, queueDepth, unsubscribe, type Clients, type TaskQueues } from './queues.ts';
import { ReceiptSender } from './receipts.ts';

export type Phase = 'starting' | 'ready' | 'stopping' | 'stopped';

const HOPS = ['streamMs', 'snsMs', 'sqsMs', 'consumeMs', 'endToEndMs'] as const satisfies readonly (keyof HopDurations)[];
const MAX_CONSECUTIVE_POLL_ERRORS = 3;

export interface Health {
  healthy: boolean;
  reasons: string[];
  /** Signals that do not make the task unhealthy (a poison message in the DLQ: the alarm's business). */
  warnings: string[];
}

/**
 * One task's mirror of the state record: subscribe first, then load the record, then long-poll, so no
 * change falls between the load and the first message. Every SDK call is passed in through `clients`.
 */
export class FanoutConsumer {
  phase: Phase = 'starting';
  state: FanoutState | undefined;
  queues: TaskQueues | undefined;
  readonly counters = { received: 0, applied: 0, duplicate: 0, stale: 0, failed: 0, pollErrors: 0 };
  backlog = 0;
  dlqDepth = 0;
  lastDelivery: DeliveryRecord | undefined;
  private consecutivePollErrors = 0;
  private readonly hopSums: Record<(typeof HOPS)[number], { sum: number; max: number }> = Object.fromEntries(
    HOPS.map((h) => [h, { sum: 0, max: Number.NEGATIVE_INFINITY }]),
  ) as FanoutConsumer['hopSums'];
  private readonly abort = new AbortController();
  private pollLoop: Promise<void> | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly receipts: ReceiptSender | undefined;
  owner: string | undefined;
  /** Epoch ms the task became ready (subscribed, state loaded, polling). */
  readyAt: number | undefined;

  constructor(
    private readonly config: ConsumerConfig,
    private readonly clients: Clients & { dynamodb: DynamoDBClient },
    private readonly log: (line: string) => void,
    resolveOwnerFn: (configured: string | undefined) => Promise<string> = (configured) => resolveOwner(configured),
  ) {
    this.resolveOwnerFn = resolveOwnerFn;
    if (config.receiptsQueueUrl !== undefined) {
      this.receipts = new ReceiptSender(clients.sqs, config.receiptsQueueUrl, (error) =>
        this.log(JSON.stringify({ event: 'fanout.receipt-failed', taskId: config.taskId, error: String(error) })),
      );
    }
  }

  private readonly resolveOwnerFn: (configured: string | undefined) => Promise<string>;

  /** One line on stdout (CloudWatch Logs on AWS) and, when configured, on the receipts queue. */
  private emit(line: string): void {
    this.log(line);
    this.receipts?.push(line);
  }

  async start(): Promise<void> {
    this.owner = await this.resolveOwnerFn(this.config.owner);
    this.queues = await provisionTaskQueues(this.clients, this.config, this.owner);
    this.logEvent('fanout.subscribed', { queueUrl: this.queues.queueUrl, subscriptionArn: this.queues.subscriptionArn });
    await this.loadCurrentState();
    await this.checkQueues();
    this.checkTimer = setInterval(() => void this.checkQueues(), this.config.checkIntervalMs);
    this.checkTimer.unref();
    this.pollLoop = this.poll();
    this.phase = 'ready';
    this.readyAt = Date.now();
    this.logEvent('fanout.ready', { version: this.state?.version ?? null, owner: this.owner, dlqName: this.queues.dlqName });
  }

  private async loadCurrentState(): Promise<void> {
    const { Item } = await this.clients.dynamodb.send(
      new GetItemCommand({ TableName: this.config.tableName, Key: { id: { S: this.config.stateId } }, ConsistentRead: true }),
    );
    if (Item !== undefined) this.state = applyChange(this.state, stateFromStoredItem(unmarshall(Item))).state;
  }

  /** Queue and DLQ depth: the "keeping up" and "DLQ not empty" signals behind /health. */
  async checkQueues(): Promise<void> {
    if (this.queues === undefined || this.phase === 'stopping' || this.phase === 'stopped') return;
    try {
      const [own, dlq] = await Promise.all([queueDepth(this.clients.sqs, this.queues.queueUrl), queueDepth(this.clients.sqs, this.queues.dlqUrl)]);
      this.backlog = own.visible;
      const depth = dlq.visible + dlq.inFlight;
      if (depth !== this.dlqDepth) this.logEvent('fanout.dlq', { dlqDepth: depth, dlqName: this.queues.dlqName });
      this.dlqDepth = depth;
    } catch (error) {
      this.logEvent('fanout.check-failed', { error: String(error) });
    }
  }

  private async poll(): Promise<void> {
    const queueUrl = this.queues!.queueUrl;
    while (!this.abort.signal.aborted) {
      let messages: Message[];
      try {
        const answer = await this.clients.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            WaitTimeSeconds: this.config.waitTimeS,
            MaxNumberOfMessages: this.config.batchSize,
            MessageSystemAttributeNames: [...RECEIVE_SYSTEM_ATTRIBUTES],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = answer.Messages ?? [];
        this.consecutivePollErrors = 0;
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.counters.pollErrors += 1;
        this.consecutivePollErrors += 1;
        this.logEvent('fanout.poll-failed', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (messages.length === 0) continue;
      try {
        await this.handleBatch(queueUrl, messages);
      } catch (error) {
        // Only the delete can fail here; the messages come back after the visibility timeout and
        // applying them again changes nothing.
        this.logEvent('fanout.delete-failed', { error: String(error), messages: messages.length });
      }
    }
  }

  /** Applies a batch; deletes what was handled. A message that fails stays and is received again (then the DLQ). */
  async handleBatch(queueUrl: string, messages: readonly Message[]): Promise<void> {
    const handled: Message[] = [];
    for (const message of messages) {
      const callId = rollCallOf(message);
      if (callId !== undefined) {
        // The runner asks who is there (and ready since when): answered by a receipt, not a change.
        this.logEvent('fanout.roll-call', { callId, phase: this.phase, readyAt: this.readyAt ?? null, version: this.state?.version ?? null, dlqDepth: this.dlqDepth });
        handled.push(message);
        continue;
      }
      this.counters.received += 1;
      try {
        const change = parseReceivedChange(message);
        const { state, outcome } = applyChange(this.state, change.state);
        this.state = state;
        const appliedAt = Date.now();
        const hops = hopDurations({ ...change, writtenAt: change.state.writtenAt, firstReceiveTimestamp: change.firstReceiveTimestamp, appliedAt });
        const record: DeliveryRecord = {
          taskId: this.config.taskId,
          stateId: change.state.id,
          version: change.state.version,
          outcome,
          messageId: change.messageId,
          receiveCount: change.receiveCount,
          writtenAt: change.state.writtenAt,
          appliedAt,
          hops,
        };
        this.counters[outcome] += 1;
        for (const hop of HOPS) {
          this.hopSums[hop].sum += hops[hop];
          this.hopSums[hop].max = Math.max(this.hopSums[hop].max, hops[hop]);
        }
        this.lastDelivery = record;
        this.emit(deliveryEmfLine(this.config.metricsNamespace, record));
        handled.push(message);
      } catch (error) {
        this.counters.failed += 1;
        this.logEvent('fanout.message-failed', { messageId: message.MessageId, error: String(error) });
      }
    }
    if (handled.length === 0) return;
    const result = await this.clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: handled.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    for (const failure of result.Failed ?? []) this.logEvent('fanout.delete-failed', { id: failure.Id, code: failure.Code });
  }

  /**
   * The container health check's answer. A message in the DLQ does NOT make the task unhealthy: ECS
   * stops a task whose essential container fails its health check, and the stop would delete the queue
   * that holds the evidence; the DLQ signal goes to the CloudWatch alarm and the run's files instead.
   */
  health(): Health {
    const reasons: string[] = [];
    const warnings: string[] = [];
    if (this.phase !== 'ready') reasons.push(`phase is ${this.phase}`);
    if (this.dlqDepth > 0) warnings.push(`${this.dlqDepth} message(s) in the DLQ ${this.queues?.dlqName ?? ''} (see its CloudWatch alarm)`);
    if (this.backlog > this.config.maxBacklog) reasons.push(`backlog ${this.backlog} exceeds ${this.config.maxBacklog}`);
    if (this.consecutivePollErrors >= MAX_CONSECUTIVE_POLL_ERRORS) reasons.push(`${this.consecutivePollErrors} receive calls failed in a row`);
    return { healthy: reasons.length === 0, reasons, warnings };
  }

  metrics(): Record<string, unknown> {
    const count = this.counters.applied + this.counters.duplicate + this.counters.stale;
    return {
      taskId: this.config.taskId,
      phase: this.phase,
      health: this.health(),
      stateId: this.config.stateId,
      version: this.state?.version ?? null,
      queueUrl: this.queues?.queueUrl ?? null,
      dlqUrl: this.queues?.dlqUrl ?? null,
      backlog: this.backlog,
      dlqDepth: this.dlqDepth,
      maxReceives: this.config.maxReceives,
      counters: { ...this.counters },
      hops: Object.fromEntries(
        HOPS.map((h) => [h, count === 0 ? null : { avg: this.hopSums[h].sum / count, max: this.hopSums[h].max }]),
      ),
      lastDelivery: this.lastDelivery ?? null,
    };
  }

  /** SIGTERM: stop taking new changes, finish the batch in hand, remove the task's queues. */
  async stop(): Promise<void> {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.phase = 'stopping';
    this.logEvent('fanout.stopping', { version: this.state?.version ?? null });
    if (this.checkTimer) clearInterval(this.checkTimer);
    if (this.queues !== undefined) await unsubscribe(this.clients, this.queues);
    this.abort.abort();
    await this.pollLoop;
    let kept = { dlqKept: false, dlqDepth: 0 };
    if (this.queues !== undefined) kept = await deleteTaskQueues(this.clients, this.queues);
    if (kept.dlqKept) this.logEvent('fanout.dlq-kept', { dlqName: this.queues?.dlqName, dlqUrl: this.queues?.dlqUrl, dlqDepth: kept.dlqDepth, alarmName: this.queues?.alarmName ?? null });
    this.phase = 'stopped';
    this.logEvent('fanout.stopped', { counters: this.counters, version: this.state?.version ?? null, dlqKept: kept.dlqKept });
    const unsent = (await this.receipts?.close(5000)) ?? 0;
    if (unsent > 0) this.log(JSON.stringify({ event: 'fanout.receipts-unsent', taskId: this.config.taskId, lines: unsent }));
  }

  private logEvent(event: string, fields: Record<string, unknown>): void {
    this.emit(JSON.stringify({ event, taskId: this.config.taskId, time: new Date().toISOString(), at: Date.now(), ...fields }));
  }
}
