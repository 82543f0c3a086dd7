import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BatchWriteItemCommand, DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { seedTurkeys } from '../../lib/turkeys/seed.ts';

/** A client double: records every BatchWriteItem and leaves the first item of chosen calls unprocessed. */
function fakeDynamo(leaveUnprocessed: (call: number) => boolean) {
  const calls: WriteRequest[][] = [];
  const client = {
    send: async (command: BatchWriteItemCommand) => {
      const requests = command.input.RequestItems!['turkeys']!;
      calls.push(requests);
      const unprocessed = leaveUnprocessed(calls.length) ? requests.slice(0, 1) : [];
      return { UnprocessedItems: unprocessed.length > 0 ? { turkeys: unprocessed } : {}, $metadata: {} };
    },
  } as unknown as DynamoDBClient;
  return { client, calls };
}

const idOf = (request: WriteRequest) => request.PutRequest!.Item!['id']!.S!;

describe('seedTurkeys', () => {
  const turkeys = generateTurkeys(260, 5);

  it('writes every turkey once, in batches of at most 25', async () => {
    const dynamo = fakeDynamo(() => false);
    assert.equal(await seedTurkeys(dynamo.client, 'turkeys', turkeys, { parallel: 3 }), 260);
    assert.equal(dynamo.calls.length, 11);
    assert.ok(dynamo.calls.every((batch) => batch.length <= 25));
    assert.deepEqual(dynamo.calls.flat().map(idOf).sort(), turkeys.map((t) => t.id).sort());
  });

  it('stops taking batches once one fails, and rejects with that error', async () => {
    const calls: number[] = [];
    const failure = new Error('ResourceNotFoundException');
    const client = {
      send: async () => {
        calls.push(calls.length);
        if (calls.length === 1) throw failure;
        return { UnprocessedItems: {}, $metadata: {} };
      },
    } as unknown as DynamoDBClient;
    await assert.rejects(seedTurkeys(client, 'turkeys', turkeys, { parallel: 2 }), failure);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.ok(calls.length <= 2, `${calls.length} of 11 batches sent after the first failed`);
  });

  it('sends back only the items DynamoDB left unprocessed', async () => {
    const dynamo = fakeDynamo((call) => call === 1);
    await seedTurkeys(dynamo.client, 'turkeys', turkeys.slice(0, 25), { parallel: 1 });
    assert.equal(dynamo.calls.length, 2);
    assert.deepEqual(dynamo.calls[1]!.map(idOf), [turkeys[0]!.id]);
  });
});
