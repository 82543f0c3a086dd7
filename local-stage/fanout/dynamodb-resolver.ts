import {
  DeleteItemCommand,
  DynamoDBServiceException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { render } from 'velocityjs';
import { KitError } from '../../lib/errors.ts';
import { appsyncUtil, ResolverTemplateError } from './appsync-util.ts';
import type { LocalStream } from './local-stream.ts';

/** A request template rendered to something this data source does not execute. */
export class UnsupportedResolverRequestError extends KitError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('APPSYNC_UNSUPPORTED_REQUEST', message, { context });
  }
}

type Item = Record<string, AttributeValue>;

interface ConditionDoc {
  expression: string;
  expressionNames?: Record<string, string>;
  expressionValues?: Item;
}

/** The 2018-05-29 DynamoDB resolver request document (the operations the local data source runs). */
type RequestDoc =
  | { version: string; operation: 'GetItem'; key: Item; consistentRead?: boolean }
  | { version: string; operation: 'PutItem'; key: Item; attributeValues?: Item; condition?: ConditionDoc }
  | { version: string; operation: 'DeleteItem'; key: Item; condition?: ConditionDoc };

export interface ResolverContext {
  arguments: Record<string, unknown>;
  source?: unknown;
  identity?: unknown;
}

function conditionInput(condition: ConditionDoc | undefined) {
  if (condition === undefined) return {};
  return {
    ConditionExpression: condition.expression,
    ExpressionAttributeNames: condition.expressionNames,
    ExpressionAttributeValues: condition.expressionValues,
  };
}

/**
 * An AppSync unit resolver on a DynamoDB data source: renders the request template, runs the
 * operation through the SDK, renders the response template with `$ctx.result` or `$ctx.error`.
 * Writes go through `stream` (old/new images from ReturnValues) and are serialized per table, so the
 * stream's order is the commit order.
 */
export class LocalDynamoDBResolver {
  private writeChain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: { client: DynamoDBClient; tableName: string; stream: LocalStream; requestTemplate: string; responseTemplate: string },
  ) {}

  async resolve(ctx: ResolverContext): Promise<unknown> {
    const args = ctx.arguments;
    const base = { arguments: args, args, source: ctx.source ?? null, identity: ctx.identity ?? null, stash: {} };
    const requestText = this.renderTemplate(this.options.requestTemplate, base);
    let doc: RequestDoc;
    try {
      doc = JSON.parse(requestText) as RequestDoc;
    } catch (cause) {
      throw new UnsupportedResolverRequestError(`The request template did not render JSON: ${String(cause)}`, { requestText });
    }
    if (doc.version !== '2018-05-29' && doc.version !== '2017-02-28') {
      throw new UnsupportedResolverRequestError(`Unknown resolver template version ${String(doc.version)}.`);
    }
    let result: unknown = null;
    let error: { message: string; type: string } | undefined;
    try {
      result = await this.execute(doc);
    } catch (cause) {
      if (!(cause instanceof DynamoDBServiceException)) throw cause;
      error = { message: cause.message, type: `DynamoDB:${cause.name}` };
    }
    const responseText = this.renderTemplate(this.options.responseTemplate, { ...base, result, error: error ?? null });
    return responseText.trim() === '' ? null : (JSON.parse(responseText) as unknown);
  }

  private renderTemplate(template: string, ctx: Record<string, unknown>): string {
    const { util, raised } = appsyncUtil();
    try {
      return render(template, { ctx, context: ctx, util, utils: util });
    } catch (cause) {
      throw raised() ?? new ResolverTemplateError(`The template failed: ${String(cause)}`, 'TemplateError');
    }
  }

  private async execute(doc: RequestDoc): Promise<unknown> {
    const { client, tableName } = this.options;
    switch (doc.operation) {
      case 'GetItem': {
        const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: doc.key, ConsistentRead: doc.consistentRead ?? false }));
        return Item === undefined ? null : unmarshall(Item);
      }
      case 'PutItem':
        return this.serializedWrite(async () => {
          const item = { ...doc.attributeValues, ...doc.key };
          const { Attributes } = await client.send(
            new PutItemCommand({ TableName: tableName, Item: item, ReturnValues: 'ALL_OLD', ...conditionInput(doc.condition) }),
          );
          this.options.stream.append(doc.key, Attributes, item);
          return unmarshall(item);
        });
      case 'DeleteItem':
        return this.serializedWrite(async () => {
          const { Attributes } = await client.send(
            new DeleteItemCommand({ TableName: tableName, Key: doc.key, ReturnValues: 'ALL_OLD', ...conditionInput(doc.condition) }),
          );
          if (Attributes !== undefined) this.options.stream.append(doc.key, Attributes, undefined);
          return Attributes === undefined ? null : unmarshall(Attributes);
        });
      default:
        throw new UnsupportedResolverRequestError(
          `The local DynamoDB data source runs GetItem, PutItem and DeleteItem; the template asked for ${(doc as { operation: string }).operation}.`,
        );
    }
  }

  private serializedWrite<T>(write: () => Promise<T>): Promise<T> {
    const next = this.writeChain.then(write, write);
    this.writeChain = next.catch(() => undefined);
    return next;
  }
}
