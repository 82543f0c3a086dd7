import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { requireEnv } from '../lib/env.ts';
import { handleBreedPageRequest, INTERNAL_ERROR_BODY } from '../lib/turkeys/handle-request.ts';

// Read once per container: configuration and the client outlive a single invocation.
const tableName = requireEnv('TABLE_NAME');
const dynamodb = new DynamoDBClient({});

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * API Gateway (REST, proxy integration) → GET /turkeys/{breed}. `pathParameters.breed` arrives
 * percent-encoded as the client sent it (docs/aws-fidelity.md); handleBreedPageRequest decodes it.
 */
export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    const { status, body } = await handleBreedPageRequest(dynamodb, tableName, event.pathParameters?.['breed'], { percentEncoded: true });
    return { statusCode: status, headers: JSON_HEADERS, body: JSON.stringify(body) };
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', message: 'breed page failed', path: event.path, error: String(error) }));
    return { statusCode: 500, headers: JSON_HEADERS, body: JSON.stringify(INTERNAL_ERROR_BODY) };
  }
}
