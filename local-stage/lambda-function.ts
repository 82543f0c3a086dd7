import { pathToFileURL } from 'node:url';
import { ConfigError } from '../lib/errors.ts';
import type { LambdaHandler } from './apigateway/lambda-proxy.ts';
import { LAMBDA_BUNDLE_OUTFILE, repoPath } from './bundles.ts';
import { createLambdaPool, type LambdaPool } from './lambda-pool.ts';
import { localAwsEnv } from './local-aws.ts';

export const LAMBDA_BUNDLE = repoPath(LAMBDA_BUNDLE_OUTFILE);

/**
 * Loads one instance of a Lambda bundle the way the Lambda runtime would: the module's top level runs
 * afresh ("cold start") because each instance imports its own copy (`?instance=N` makes a new module).
 */
export async function loadLambdaInstance(bundle: string, instanceNumber: number): Promise<LambdaHandler> {
  const module = (await import(`${pathToFileURL(bundle).href}?instance=${instanceNumber}`)) as { handler?: unknown };
  if (typeof module.handler !== 'function') {
    throw new ConfigError(`${bundle} does not export a handler function; run \`npm run build\`.`);
  }
  return module.handler as LambdaHandler;
}

/**
 * The turkeys function behind /lambda as an instance pool (local-stage/lambda-pool.ts): environment
 * first (function settings and the SDK's standard endpoint variable), then instances on demand. The
 * instances run in this process, so they share the stage's event loop, unlike Lambda sandboxes.
 */
export function createTurkeysLambdaPool(options: { tableName: string; dynamodbEndpoint: string; instanceLimit: number; memoryMb: number }): LambdaPool {
  Object.assign(
    process.env,
    { TABLE_NAME: options.tableName, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb) },
    // Every fresh copy of the SDK would print its Node 20 notice again.
    { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    localAwsEnv({ dynamodb: options.dynamodbEndpoint }),
  );
  return createLambdaPool({ load: (n) => loadLambdaInstance(LAMBDA_BUNDLE, n), limit: options.instanceLimit, memoryMb: options.memoryMb });
}
