import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { errorBody, type ErrorBody } from '../http-error-body.ts';
import { InvalidBreedError, parseBreedParam } from './breed-param.ts';
import { fetchBreedPage } from './query.ts';
import type { BreedPage } from './turkey.ts';

export interface BreedPageResponse {
  status: number;
  body: BreedPage | ErrorBody;
}

/**
 * GET /turkeys/{breed} for the code backends (Lambda, App Runner): validate, query, transform.
 * Invalid input is a 400 with a JSON error; a DynamoDB failure propagates to the caller, who
 * logs it and answers 500.
 */
export async function handleBreedPageRequest(
  client: DynamoDBClient,
  tableName: string,
  rawBreed: string | undefined,
): Promise<BreedPageResponse> {
  let breed: string;
  try {
    breed = parseBreedParam(rawBreed);
  } catch (error) {
    if (error instanceof InvalidBreedError) return { status: error.status, body: errorBody(error.code, error.message) };
    throw error;
  }
  return { status: 200, body: await fetchBreedPage(client, tableName, breed) };
}

export const INTERNAL_ERROR_BODY = errorBody('INTERNAL_ERROR', 'the backend failed to answer; see its logs');
