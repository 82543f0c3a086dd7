import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../local-aws.ts';
import type { GatewayResponse } from './aws-integration.ts';
import type { TemplateContext } from './vtl.ts';

/**
 * The Lambda proxy integration (type AWS_PROXY) of a REST API: the v1 event API Gateway sends, and
 * how it turns the function's result into the HTTP response.
 */

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface ProxyRequest {
  /** Raw (still percent-encoded) path as the client sent it. */
  rawPath: string;
  /** Header name/value pairs in the order received, names as sent. */
  rawHeaders: readonly [string, string][];
  query: URLSearchParams;
  /** Path parameters as the client sent them (percent-encoded), as API Gateway hands them on. */
  pathParameters: Record<string, string>;
  body: string;
  context: TemplateContext;
  stageVariables: Record<string, string>;
}

function grouped(pairs: Iterable<readonly [string, string]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, value] of pairs) (out[key] ??= []).push(value);
  return out;
}

function lastValues(multi: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(multi).map(([key, values]) => [key, values[values.length - 1]!]));
}

/** The REST API (payload format 1.0) proxy event for a request. */
export function buildProxyEvent(request: ProxyRequest): APIGatewayProxyEvent {
  const multiValueHeaders = grouped(request.rawHeaders);
  const multiValueQuery = grouped(request.query);
  const hasQuery = Object.keys(multiValueQuery).length > 0;
  const { context } = request;
  return {
    resource: context.resourcePath,
    path: request.rawPath,
    httpMethod: context.httpMethod,
    headers: lastValues(multiValueHeaders),
    multiValueHeaders,
    queryStringParameters: hasQuery ? lastValues(multiValueQuery) : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: { ...request.pathParameters },
    stageVariables: Object.keys(request.stageVariables).length > 0 ? { ...request.stageVariables } : null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      authorizer: undefined,
      domainName: context.domainName,
      domainPrefix: context.domainName.split('.')[0],
      extendedRequestId: context.extendedRequestId,
      httpMethod: context.httpMethod,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: context.identity.sourceIp,
        user: null,
        userAgent: context.identity.userAgent,
        userArn: null,
      },
      path: context.path,
      protocol: context.protocol,
      requestId: context.requestId,
      requestTime: context.requestTime,
      requestTimeEpoch: context.requestTimeEpoch,
      resourceId: context.resourceId,
      resourcePath: context.resourcePath,
      stage: context.stage,
    },
    body: request.body === '' ? null : request.body,
    isBase64Encoded: false,
  };
}

/** A Lambda context for one invocation; `deadline` is when the integration times out. */
export function buildLambdaContext(requestId: string, functionName: string, deadline: number): Context {
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is the legacy Node.js callback API; return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/**
 * The HTTP response for a function result, or undefined when API Gateway would reject the result
 * ("Malformed Lambda proxy response" → 502).
 */
export function mapProxyResult(result: unknown): GatewayResponse | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const r = result as Record<string, unknown>;
  const statusCode = r['statusCode'] === undefined ? 200 : Number(r['statusCode']);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) return undefined;
  const body = r['body'];
  if (body !== undefined && body !== null && typeof body !== 'string') return undefined;
  const headers: Record<string, string | string[]> = {};
  const single = r['headers'];
  const multi = r['multiValueHeaders'];
  if (single !== undefined && single !== null) {
    if (typeof single !== 'object') return undefined;
    for (const [k, v] of Object.entries(single)) headers[k.toLowerCase()] = String(v);
  }
  if (multi !== undefined && multi !== null) {
    if (typeof multi !== 'object') return undefined;
    for (const [k, v] of Object.entries(multi)) {
      if (!Array.isArray(v)) return undefined;
      headers[k.toLowerCase()] = v.map(String);
    }
  }
  const text = typeof body === 'string' ? body : '';
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: r['isBase64Encoded'] === true ? Buffer.from(text, 'base64') : text,
  };
}
