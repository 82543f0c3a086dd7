import { Agent } from 'node:http';

/**
 * Settings for AWS SDK clients talking to the local stage. Credentials are placeholders: the local
 * servers accept any, and a user's real credentials must never be sent to them (or picked up from a
 * profile while the local stage runs).
 */
export const LOCAL_REGION = 'us-east-1';
/** The account id in every ARN the local stage makes up (AWS's documented placeholder account). */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * API Gateway and Step Functions call DynamoDB with no client-side connection cap; the SDK's default
 * of 50 sockets would queue the local gateway's integrations under test4/test5 load and charge that
 * queue to `direct` and `sfn`.
 */
const LOCAL_MAX_SOCKETS = 1024;

export function localClientConfig(endpoint: string) {
  return {
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 3,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: LOCAL_MAX_SOCKETS }) },
  };
}

/** The environment a Lambda function or container gets on the local stage: the SDK's standard variables. */
export function localAwsEnv(endpoints: { dynamodb?: string; sns?: string; sqs?: string }): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
  };
  if (endpoints.dynamodb) env['AWS_ENDPOINT_URL_DYNAMODB'] = endpoints.dynamodb;
  if (endpoints.sns) env['AWS_ENDPOINT_URL_SNS'] = endpoints.sns;
  if (endpoints.sqs) env['AWS_ENDPOINT_URL_SQS'] = endpoints.sqs;
  return env;
}
