import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, GraphQLError, GraphQLScalarType, Kind, graphql, type GraphQLSchema, type ValueNode } from 'graphql';
import { FANOUT_RESOLVERS, readFanoutSchema } from '../../lib/fanout/templates.ts';
import { ResolverTemplateError } from './appsync-util.ts';
import type { LocalDynamoDBResolver } from './dynamodb-resolver.ts';

function literalToValue(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
      return JSON.parse(node.value);
    default:
      throw new GraphQLError('AWSJSON literals must be strings holding JSON.');
  }
}

/** AppSync's AWSJSON: a JSON string on the wire, parsed into a value for resolver templates. */
const AWSJSON = new GraphQLScalarType({
  name: 'AWSJSON',
  serialize: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  parseValue: (value) => {
    if (typeof value !== 'string') throw new GraphQLError('AWSJSON values must be strings holding JSON.');
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new GraphQLError(`Variable is not valid JSON: ${value.slice(0, 80)}`);
    }
  },
  parseLiteral: literalToValue,
});

/** The shared schema file with AppSync's built-in scalars declared, and each field bound to its resolver. */
export function buildFanoutSchema(resolvers: Map<string, LocalDynamoDBResolver>): GraphQLSchema {
  const schema = buildSchema(`scalar AWSJSON\n${readFanoutSchema()}`);
  const scalar = schema.getType('AWSJSON') as GraphQLScalarType;
  Object.assign(scalar, { serialize: AWSJSON.serialize, parseValue: AWSJSON.parseValue, parseLiteral: AWSJSON.parseLiteral });
  for (const spec of FANOUT_RESOLVERS) {
    const type = spec.typeName === 'Mutation' ? schema.getMutationType() : schema.getQueryType();
    const field = type?.getFields()[spec.fieldName];
    const resolver = resolvers.get(`${spec.typeName}.${spec.fieldName}`);
    if (!field || !resolver) throw new Error(`Schema field or resolver missing for ${spec.typeName}.${spec.fieldName}.`);
    field.resolve = async (source, args, context: { identity?: unknown } | undefined) => {
      try {
        return await resolver.resolve({ arguments: args as Record<string, unknown>, source, identity: context?.identity });
      } catch (error) {
        if (error instanceof ResolverTemplateError) {
          throw new GraphQLError(error.message, { extensions: { errorType: error.errorType } });
        }
        throw error;
      }
    };
  }
  return schema;
}

export function readTemplate(file: string): string {
  return readFileSync(file, 'utf8');
}

async function readBody(req: IncomingMessage): Promise<string> {
  req.setEncoding('utf8');
  let text = '';
  for await (const chunk of req) text += chunk as string;
  return text;
}

/**
 * POST /graphql like AppSync: `{ query, variables, operationName }` in, `{ data, errors }` out, errors
 * with AppSync's `errorType`. Any x-api-key is accepted.
 */
export async function startGraphqlServer(schema: GraphQLSchema): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/graphql') {
      return send(404, { errors: [{ message: 'POST /graphql only.', errorType: 'NotFound' }] });
    }
    readBody(req)
      .then(async (text) => {
        let request: { query?: unknown; variables?: unknown; operationName?: unknown };
        try {
          request = JSON.parse(text) as typeof request;
        } catch {
          return send(400, { errors: [{ message: 'The body is not JSON.', errorType: 'MalformedHttpRequestException' }] });
        }
        if (typeof request.query !== 'string') return send(400, { errors: [{ message: 'No query.', errorType: 'MalformedHttpRequestException' }] });
        const result = await graphql({
          schema,
          source: request.query,
          variableValues: (request.variables as Record<string, unknown> | undefined) ?? null,
          operationName: typeof request.operationName === 'string' ? request.operationName : null,
          contextValue: { identity: null },
        });
        const errors = result.errors?.map((e) => ({
          message: e.message,
          path: e.path,
          locations: e.locations,
          errorType: (e.extensions?.['errorType'] as string | undefined) ?? undefined,
        }));
        send(200, errors === undefined ? { data: result.data } : { data: result.data ?? null, errors });
      })
      .catch((error: unknown) => send(500, { errors: [{ message: String(error), errorType: 'InternalFailure' }] }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
