import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { KitError } from '../errors.ts';
import { generateTurkeys } from './generate.ts';
import type { Turkey } from './turkey.ts';

const BATCH_SIZE = 25;
const MAX_ATTEMPTS_PER_BATCH = 8;

export class SeedError extends KitError {
  constructor(message: string, context: Record<string, unknown>, cause?: unknown) {
    super('SEED_FAILED', message, { context, cause });
  }
}

/**
 * Writes the turkeys with BatchWriteItem (25 per call, a few calls in flight), retrying unprocessed
 * items with backoff. Returns the number of items written.
 */
export async function seedTurkeys(
  client: DynamoDBClient,
  tableName: string,
  turkeys: readonly Turkey[] = generateTurkeys(),
  options: { parallel?: number } = {},
): Promise<number> {
  const batches: WriteRequest[][] = [];
  for (let i = 0; i < turkeys.length; i += BATCH_SIZE) {
    batches.push(turkeys.slice(i, i + BATCH_SIZE).map((t) => ({ PutRequest: { Item: marshall(t) } })));
  }
  let next = 0;
  let failed = false;
  const worker = async () => {
    // After one batch fails the others stop taking batches: the caller gets the error and may close the client.
    while (!failed && next < batches.length) {
      const index = next++;
      try {
        await writeBatch(client, tableName, batches[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.parallel ?? 4) }, worker));
  return turkeys.length;
}

async function writeBatch(client: DynamoDBClient, tableName: string, requests: WriteRequest[], index: number): Promise<void> {
  let pending = requests;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_BATCH; attempt++) {
    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
    pending = result.UnprocessedItems?.[tableName] ?? [];
    if (pending.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 50 * 2 ** attempt)));
  }
  throw new SeedError(`DynamoDB left ${pending.length} items of batch ${index} unprocessed after ${MAX_ATTEMPTS_PER_BATCH} attempts.`, {
    tableName,
    batch: index,
  });
}
