import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** Lines per SendMessageBatch (the SQS maximum) and the longest a line waits before it is sent. */
const BATCH = 10;
const FLUSH_MS = 200;
const RETRY_MS = 1000;

/**
 * Sends the task's receipt lines (the same JSON lines it prints: ready, each delivery's EMF line, DLQ
 * depth, stopping) to the runner's receipts queue, up to 10 per SendMessageBatch, off the poll loop:
 * `push` never waits for SQS, so the delivery being timed is not slowed by its own receipt. A batch that
 * fails is retried (lines are kept in order); `close` sends what is left.
 */
export class ReceiptSender {
  private readonly pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  readonly stats = { sent: 0, failedCalls: 0 };

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(line: string): void {
    this.pending.push(line);
    if (this.pending.length >= BATCH) this.kick(0);
    else this.kick(FLUSH_MS);
  }

  private kick(delayMs: number): void {
    if (this.sending !== undefined) return;
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.sendAll().finally(() => {
        this.sending = undefined;
        if (this.pending.length > 0) this.kick(FLUSH_MS);
      });
    }, delayMs);
  }

  private async sendAll(): Promise<void> {
    while (this.pending.length > 0) {
      const lines = this.pending.slice(0, BATCH);
      try {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: lines.map((MessageBody, i) => ({ Id: String(i), MessageBody })) }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => Number(f.Id)));
        // Keep the failed lines at the front, in order, for the next try.
        this.pending.splice(0, lines.length, ...lines.filter((_, i) => failed.has(i)));
        this.stats.sent += lines.length - failed.size;
        if (failed.size > 0) throw new Error(`${failed.size} receipt(s) refused: ${(result.Failed ?? []).map((f) => f.Code).join(', ')}`);
      } catch (error) {
        this.stats.failedCalls += 1;
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        return;
      }
    }
  }

  /** Sends everything still pending (bounded by `timeoutMs`); returns the number of lines left unsent. */
  async close(timeoutMs: number): Promise<number> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.sending;
      if (this.pending.length === 0) return 0;
      this.sending = this.sendAll();
      await this.sending;
      this.sending = undefined;
    }
    return this.pending.length;
  }
}
