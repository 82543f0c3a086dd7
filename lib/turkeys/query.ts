import { QueryCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TURKEYS_TABLE } from './table.ts';
import { toBreedPage } from './transform.ts';
import type { BreedPage, Turkey } from './turkey.ts';

/** The Query every backend sends: the first page of one breed from the GSI (names ascending). */
export function breedPageQuery(tableName: string, breed: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: TURKEYS_TABLE.breedIndex.name,
    KeyConditionExpression: '#breed = :breed',
    ExpressionAttributeNames: { '#breed': TURKEYS_TABLE.breedIndex.partitionKey },
    ExpressionAttributeValues: { ':breed': { S: breed } },
    // What the Query consumed comes back with the answer, so every backend can report it (cost).
    ReturnConsumedCapacity: 'TOTAL',
  };
}

/**
 * Queries the first page of a breed and transforms it; used by the Lambda handler and the service.
 * `readUnits` is ConsumedCapacity.CapacityUnits (undefined if DynamoDB did not say).
 */
export async function fetchBreedPage(client: DynamoDBClient, tableName: string, breed: string): Promise<{ page: BreedPage; readUnits: number | undefined }> {
  const result = await client.send(new QueryCommand(breedPageQuery(tableName, breed)));
  const items = (result.Items ?? []).map((item) => unmarshall(item) as Turkey);
  return { page: toBreedPage(breed, items), readUnits: result.ConsumedCapacity?.CapacityUnits };
}
