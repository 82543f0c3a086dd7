import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { SST_HEADERS } from '../lib/cost/headers.ts';
import { errorBody } from '../lib/http-error-body.ts';
import { BAD_REQUEST_MESSAGE } from '../lib/turkeys/breed-param.ts';
import { handleBreedPageRequest, INTERNAL_ERROR_BODY } from '../lib/turkeys/handle-request.ts';

/**
 * The container service (App Runner, ECS Express): the same GET /turkeys/{breed} as the other
 * backends, plus /health. `instanceId` names this process (one container instance or task): its first
 * /turkeys answer says `x-sst-cold-start: 1`, every later one 0 (contract 3).
 */
export function createApp(dynamodb: DynamoDBClient, tableName: string, instanceId: string = randomUUID()): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  let served = 0;
  app.use('/turkeys', (_req, res, next) => {
    res.setHeader(SST_HEADERS.instanceId, instanceId);
    res.setHeader(SST_HEADERS.coldStart, served === 0 ? '1' : '0');
    served++;
    next();
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Express decodes `:breed` with decodeURIComponent (`+` stays `+`; a malformed escape or bytes that are
  // not UTF-8 are a 400 through onError): the same rule as decodeBreedParam on the API Gateway routes.
  app.get('/turkeys/:breed', async (req, res, next) => {
    try {
      const { status, body, readUnits } = await handleBreedPageRequest(dynamodb, tableName, req.params.breed);
      if (readUnits !== undefined) res.setHeader(SST_HEADERS.readUnits, String(readUnits));
      res.status(status).json(body);
    } catch (error) {
      next(error);
    }
  });

  app.use((_req, res) => {
    res.status(404).json(errorBody('NOT_FOUND', 'no such route; try GET /turkeys/{breed}'));
  });

  const onError: ErrorRequestHandler = (error, req, res, _next) => {
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status >= 500) {
      console.error(JSON.stringify({ level: 'error', message: 'request failed', path: req.path, error: String(error) }));
      res.status(500).json(INTERNAL_ERROR_BODY);
      return;
    }
    res.status(status).json(errorBody('BAD_REQUEST', BAD_REQUEST_MESSAGE));
  };
  app.use(onError);
  return app;
}
