/**
 * The `turkeys` table as both the Terraform stack and the local stage create it. One definition,
 * so the schema the benchmark measures locally is the one deployed.
 */
export const TURKEYS_TABLE = {
  name: 'turkeys',
  partitionKey: 'id',
  breedIndex: { name: 'byBreed', partitionKey: 'breed', sortKey: 'name' },
} as const;

/** CreateTable input (on-demand) for the DynamoDB API; the stack mirrors these fields. */
export function turkeysCreateTableInput(tableName: string = TURKEYS_TABLE.name) {
  const { partitionKey, breedIndex } = TURKEYS_TABLE;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' as const },
      { AttributeName: breedIndex.partitionKey, AttributeType: 'S' as const },
      { AttributeName: breedIndex.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' as const }],
    GlobalSecondaryIndexes: [
      {
        IndexName: breedIndex.name,
        KeySchema: [
          { AttributeName: breedIndex.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: breedIndex.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
