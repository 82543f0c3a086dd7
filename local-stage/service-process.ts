import { repoPath, SERVICE_BUNDLE_OUTFILE } from './bundles.ts';
import { localAwsEnv } from './local-aws.ts';
import { startChild, type ManagedChild } from './child-process.ts';

export const SERVICE_BUNDLE = repoPath(SERVICE_BUNDLE_OUTFILE);

/**
 * The App Runner service as its container starts it: `node server.mjs` with PORT and TABLE_NAME,
 * plus the SDK's standard endpoint variable pointing DynamoDB at the local server.
 */
export async function startServiceProcess(options: {
  tableName: string;
  dynamodbEndpoint: string;
  log?: (line: string) => void;
}): Promise<{ url: string; process: ManagedChild }> {
  const managed = await startChild(process.execPath, [SERVICE_BUNDLE], {
    name: 'apprunner-svc',
    env: {
      PATH: process.env['PATH'],
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      TABLE_NAME: options.tableName,
      ...localAwsEnv({ dynamodb: options.dynamodbEndpoint }),
    },
    isReady: (line) => line['message'] === 'listening' && typeof line['port'] === 'number',
    ...(options.log ? { log: options.log } : {}),
  });
  return { url: `http://127.0.0.1:${managed.ready['port'] as number}`, process: managed };
}
