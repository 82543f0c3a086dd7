import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import type { Construct } from 'constructs';

/**
 * A DynamoDB table from the same CreateTable input the local stage uses (lib/turkeys/table.ts,
 * lib/fanout/table.ts), so the deployed schema is the one measured locally.
 */
export function tableFromCreateInput(scope: Construct, id: string, input: CreateTableCommandInput): DynamodbTable {
  const hashKey = input.KeySchema?.find((k) => k.KeyType === 'HASH')?.AttributeName;
  if (!input.TableName || !hashKey) throw new Error(`CreateTable input for ${id} needs TableName and a HASH key`);
  const rangeKey = input.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
  const stream = input.StreamSpecification;
  return new DynamodbTable(scope, id, {
    name: input.TableName,
    billingMode: input.BillingMode ?? 'PAY_PER_REQUEST',
    hashKey,
    ...(rangeKey ? { rangeKey } : {}),
    attribute: (input.AttributeDefinitions ?? []).map((a) => ({ name: a.AttributeName!, type: a.AttributeType! })),
    globalSecondaryIndex: (input.GlobalSecondaryIndexes ?? []).map((index) => {
      const gsiRange = index.KeySchema?.find((k) => k.KeyType === 'RANGE')?.AttributeName;
      return {
        name: index.IndexName!,
        hashKey: index.KeySchema!.find((k) => k.KeyType === 'HASH')!.AttributeName!,
        ...(gsiRange ? { rangeKey: gsiRange } : {}),
        projectionType: index.Projection?.ProjectionType ?? 'ALL',
      };
    }),
    ...(stream?.StreamEnabled ? { streamEnabled: true, streamViewType: stream.StreamViewType } : {}),
    pointInTimeRecovery: { enabled: false },
  });
}
