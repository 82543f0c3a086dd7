import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { LocalStream } from './local-stream.ts';

export interface EventSourceMappingOptions {
  /** Records per invocation (AWS default 100). */
  batchSize?: number;
  /** Retries of a failing record before it is dropped (AWS default: until the record expires). */
  maximumRetryAttempts?: number;
  /** Pause before a retry, multiplied by the attempt number (capped at 1 s). */
  retryDelayMs?: number;
  log?: (line: string) => void;
}

/**
 * A Lambda event source mapping for a DynamoDB stream with FunctionResponseTypes
 * ["ReportBatchItemFailures"]: one invocation at a time per shard, batches in stream order; after a
 * partial failure it checkpoints before the lowest failed sequence number and retries from there; a
 * thrown error, or an unknown itemIdentifier, retries the whole batch.
 */
export class LocalEventSourceMapping {
  position = 0;
  readonly stats = { invocations: 0, records: 0, retries: 0, dropped: 0 };
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly batchSize: number;
  private readonly maxRetries: number;
  private readonly retryDelayMs: number;
  private readonly log: (line: string) => void;
  private readonly onRecord = () => this.wake?.();

  constructor(
    private readonly stream: LocalStream,
    private readonly invoke: (event: DynamoDBStreamEvent) => Promise<unknown>,
    options: EventSourceMappingOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.maxRetries = options.maximumRetryAttempts ?? 10;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.log = options.log ?? (() => {});
  }

  start(): void {
    this.stream.on('record', this.onRecord);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stream.off('record', this.onRecord);
    this.wake?.();
    await this.loop;
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async run(): Promise<void> {
    let attempts = 0;
    while (!this.stopped) {
      const batch = this.stream.read(this.position, this.batchSize);
      if (batch.length === 0) {
        await this.sleep(60_000);
        continue;
      }
      this.stats.invocations += 1;
      let failedIndex: number;
      try {
        failedIndex = firstFailedIndex(batch, (await this.invoke({ Records: batch })) as DynamoDBBatchResponse | undefined);
      } catch (error) {
        this.log(`stream-processor invocation failed: ${String(error)}`);
        failedIndex = 0;
      }
      if (failedIndex === -1) {
        this.advance(batch.length);
        attempts = 0;
        continue;
      }
      this.advance(failedIndex);
      attempts = failedIndex === 0 ? attempts + 1 : 1;
      if (attempts > this.maxRetries) {
        this.log(`dropping stream record ${batch[failedIndex]!.dynamodb?.SequenceNumber} after ${this.maxRetries} retries`);
        this.stats.dropped += 1;
        this.advance(1);
        attempts = 0;
        continue;
      }
      this.stats.retries += 1;
      await this.sleep(Math.min(1000, this.retryDelayMs * attempts));
    }
  }

  private advance(count: number): void {
    this.position += count;
    this.stats.records += count;
    this.stream.trim(this.position);
  }
}

/**
 * Index of the record to retry from: -1 when the batch succeeded, 0 for a whole-batch failure
 * (an itemIdentifier that is empty or not in the batch), else the lowest failed record.
 */
export function firstFailedIndex(batch: readonly DynamoDBRecord[], response: DynamoDBBatchResponse | undefined | null): number {
  const failures = response?.batchItemFailures ?? [];
  if (failures.length === 0) return -1;
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const index = batch.findIndex((r) => r.dynamodb?.SequenceNumber === failure.itemIdentifier);
    if (!failure.itemIdentifier || index === -1) return 0;
    lowest = Math.min(lowest, index);
  }
  return lowest;
}
