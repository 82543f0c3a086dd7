import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { packReceiptLines } from '../lib/fanout/receipts.ts';

/** The longest a line waits before it is sent, and the pause after a failed send. */
const FLUSH_MS = 200;
const RETRY_MS = 1000;

/**
 * Sends the task's receipt lines (the JSON lines it prints: each delivery's EMF line and its
 * `fanout.*` events) to the runner's receipts queue: every 200 ms, whatever has accumulated, packed into
 * as few SendMessage calls as fit (lines joined by "\n", up to 200 KiB each). `push` never waits for SQS,
 * so a delivery is not slowed by its own receipt. A failed send is retried with the lines in order;
 * `close` sends what is left.
 */
export class ReceiptSender {
  private readonly pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  readonly stats = { lines: 0, messages: 0, failedCalls: 0 };

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(line: string): void {
    this.pending.push(line);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer !== undefined || this.sending !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.sending = this.sendPending().finally(() => {
        this.sending = undefined;
        if (this.pending.length > 0) this.schedule();
      });
    }, FLUSH_MS);
    this.timer.unref();
  }

  /** Sends every pending line; on a failure keeps the unsent ones at the front and waits before returning. */
  private async sendPending(): Promise<void> {
    const lines = this.pending.splice(0, this.pending.length);
    const bodies = packReceiptLines(lines);
    let sentLines = 0;
    for (const body of bodies) {
      try {
        await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }));
      } catch (error) {
        this.pending.unshift(...lines.slice(sentLines));
        this.stats.failedCalls += 1;
        this.onError(error);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        return;
      }
      sentLines += body.split('\n').length;
      this.stats.messages += 1;
      this.stats.lines += body.split('\n').length;
    }
  }

  /** Sends everything still pending (bounded by `timeoutMs`); returns the number of lines left unsent. */
  async close(timeoutMs: number): Promise<number> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    await this.sending;
    while (this.pending.length > 0 && Date.now() < deadline) await this.sendPending();
    return this.pending.length;
  }
}
