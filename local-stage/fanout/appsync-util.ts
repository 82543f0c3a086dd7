import { convertToAttr } from '@aws-sdk/util-dynamodb';
import { randomUUID } from 'node:crypto';
import { KitError } from '../../lib/errors.ts';

/** `$util.error(message, type)` in a template: the field resolves to a GraphQL error with this type. */
export class ResolverTemplateError extends KitError {
  constructor(
    message: string,
    readonly errorType: string | undefined,
  ) {
    super('APPSYNC_TEMPLATE_ERROR', message, { context: { errorType } });
  }
}

/**
 * The part of AppSync's `$util` the fan-out resolvers use, with AppSync's semantics: toDynamoDBJson
 * returns a JSON string of a typed attribute value, error() aborts the template. `raised` rebuilds the
 * error because velocityjs appends template positions to the message of exceptions it passes on.
 */
export function appsyncUtil(): { util: Record<string, unknown>; raised: () => ResolverTemplateError | undefined } {
  let raised: { message: string; type: string | undefined } | undefined;
  const toAttr = (value: unknown) => convertToAttr(value === undefined ? null : value, { removeUndefinedValues: true, convertClassInstanceToMap: false });
  const util = {
    dynamodb: {
      toDynamoDB: toAttr,
      toDynamoDBJson: (value: unknown) => JSON.stringify(toAttr(value)),
      toMapValuesJson: (value: Record<string, unknown>) => JSON.stringify(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toAttr(v)]))),
    },
    time: {
      nowEpochMilliSeconds: () => Date.now(),
      nowEpochSeconds: () => Math.floor(Date.now() / 1000),
      nowISO8601: () => new Date().toISOString(),
    },
    toJson: (value: unknown) => JSON.stringify(value ?? null),
    autoId: () => randomUUID(),
    isNull: (value: unknown) => value === null || value === undefined,
    error: (message: string, type?: string) => {
      raised = { message: String(message), type };
      throw new ResolverTemplateError(raised.message, type);
    },
  };
  return { util, raised: () => (raised === undefined ? undefined : new ResolverTemplateError(raised.message, raised.type)) };
}
