import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { errorBody, type ErrorBody } from '../http-error-body.ts';
import { decodeBreedParam, InvalidBreedError, MalformedBreedEncodingError, parseBreedParam } from './breed-param.ts';
import { fetchBreedPage } from './query.ts';
import type { BreedPage } from './turkey.ts';

export interface BreedPageResponse {
  status: number;
  body: BreedPage | ErrorBody;
  /** DynamoDB read request units the request consumed (ConsumedCapacity), when it queried. */
  readUnits?: number;
}

export interface BreedPageRequestOptions {
  /**
   * True when `breed` is the path segment as API Gateway hands it on (percent-encoded, Lambda proxy
   * event): it is decoded with decodeBreedParam first. False (default) when the caller decoded it
   * (Express's req.params).
   */
  percentEncoded?: boolean;
}

/**
 * GET /turkeys/{breed} for the code backends (Lambda, App Runner): decode, validate, query,
 * transform. Invalid input is a 400 with a JSON error; a DynamoDB failure propagates to the caller,
 * who logs it and answers 500. The 64-character limit applies to the decoded breed.
 */
export async function handleBreedPageRequest(
  client: DynamoDBClient,
  tableName: string,
  rawBreed: string | undefined,
  options: BreedPageRequestOptions = {},
): Promise<BreedPageResponse> {
  let breed: string;
  try {
    breed = parseBreedParam(options.percentEncoded ? decodeBreedParam(rawBreed) : rawBreed);
  } catch (error) {
    if (error instanceof InvalidBreedError || error instanceof MalformedBreedEncodingError) {
      return { status: error.status, body: errorBody(error.code, error.message) };
    }
    throw error;
  }
  const { page, readUnits } = await fetchBreedPage(client, tableName, breed);
  return { status: 200, body: page, ...(readUnits !== undefined ? { readUnits } : {}) };
}

export const INTERNAL_ERROR_BODY = errorBody('INTERNAL_ERROR', 'the backend failed to answer; see its logs');
