import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { requireEnv } from '../lib/env.ts';
import { SST_HEADERS } from '../lib/cost/headers.ts';
import { handleBreedPageRequest, INTERNAL_ERROR_BODY } from '../lib/turkeys/handle-request.ts';

// Read once per container: configuration and the client outlive a single invocation.
const tableName = requireEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});

// One execution environment = one module instance: its id, and whether it has served yet (cold start).
const instanceId = randomUUID();
let served = 0;

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The x-sst-* headers of one invocation (contract 3): instance, cold start, cost quantities. */
function sstHeaders(cold: boolean, startedAt: number, context: Context | undefined, readUnits: number | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    [SST_HEADERS.instanceId]: instanceId,
    [SST_HEADERS.coldStart]: cold ? '1' : '0',
    // The handler's own measure, rounded up to 1 ms as Lambda rounds; on AWS the REPORT line is the bill.
    [SST_HEADERS.handlerDurationMs]: String(Math.max(1, Math.ceil(performance.now() - startedAt))),
  };
  const memory = context?.memoryLimitInMB ?? process.env['AWS_LAMBDA_FUNCTION_MEMORY_SIZE'];
  if (memory) headers[SST_HEADERS.memoryMb] = String(memory);
  if (readUnits !== undefined) headers[SST_HEADERS.readUnits] = String(readUnits);
  return headers;
}

/**
 * API Gateway (REST, proxy integration) → GET /turkeys/{breed}. `pathParameters.breed` arrives
 * percent-encoded as the client sent it (docs/aws-fidelity.md); handleBreedPageRequest decodes it.
 */
export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const startedAt = performance.now();
  const cold = served === 0;
  served++;
  try {
    const { status, body, readUnits } = await handleBreedPageRequest(dynamodb, tableName, event.pathParameters?.['breed'], { percentEncoded: true });
    return { statusCode: status, headers: { ...JSON_HEADERS, ...sstHeaders(cold, startedAt, context, readUnits) }, body: JSON.stringify(body) };
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'breed page failed', path: event.path, error: String(error) }));
    return { statusCode: 500, headers: { ...JSON_HEADERS, ...sstHeaders(cold, startedAt, context, undefined) }, body: JSON.stringify(INTERNAL_ERROR_BODY) };
  }
}
