import { pathToFileURL } from 'node:url';
import { ConfigError } from '../lib/errors.ts';
import type { LambdaHandler } from './apigateway/lambda-proxy.ts';
import { LAMBDA_BUNDLE_OUTFILE, repoPath } from './bundles.ts';
import { localAwsEnv } from './local-aws.ts';

export const LAMBDA_BUNDLE = repoPath(LAMBDA_BUNDLE_OUTFILE);

/**
 * Loads the Lambda bundle the way the Lambda runtime would: environment first (function settings and
 * the SDK's standard endpoint variable), then the module, whose top level runs once ("cold start").
 * It runs in this process, so it shares the stage's event loop, unlike a real Lambda sandbox.
 */
export async function loadTurkeysLambda(options: { tableName: string; dynamodbEndpoint: string }): Promise<LambdaHandler> {
  Object.assign(process.env, { TABLE_NAME: options.tableName }, localAwsEnv({ dynamodb: options.dynamodbEndpoint }));
  const module = (await import(pathToFileURL(LAMBDA_BUNDLE).href)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new ConfigError(`${LAMBDA_BUNDLE} does not export a handler function; run \`npm run build\`.`);
  }
  return module.handler as LambdaHandler;
}
