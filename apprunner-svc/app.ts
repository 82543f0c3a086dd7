import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { errorBody } from '../lib/http-error-body.ts';
import { BAD_REQUEST_MESSAGE } from '../lib/turkeys/breed-param.ts';
import { handleBreedPageRequest, INTERNAL_ERROR_BODY } from '../lib/turkeys/handle-request.ts';

/** The App Runner service: the same GET /turkeys/{breed} as the other backends, plus /health. */
export function createApp(dynamodb: DynamoDBClient, tableName: string): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Express decodes `:breed` with decodeURIComponent (`+` stays `+`; a malformed escape or bytes that are
  // not UTF-8 are a 400 through onError): the same rule as decodeBreedParam on the API Gateway routes.
  app.get('/turkeys/:breed', async (req, res, next) => {
    try {
      const { status, body } = await handleBreedPageRequest(dynamodb, tableName, req.params.breed);
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
