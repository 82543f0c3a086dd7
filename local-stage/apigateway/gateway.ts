import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { API_ROUTES, BREED_PATH_PARAMETER, readTemplate, STAGE_VARIABLES, TEMPLATE_FILES, type ApiRouteName } from '../../lib/api-gateway/routes.ts';
import { ConfigError } from '../../lib/errors.ts';
import { errorBody } from '../../lib/http-error-body.ts';
import { BAD_REQUEST_MESSAGE } from '../../lib/turkeys/breed-param.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../local-aws.ts';
import { createLocalExpressStateMachine } from '../stepfunctions/express-state-machine.ts';
import { AwsIntegration, dynamodbQueryAction, startSyncExecutionAction, type GatewayResponse } from './aws-integration.ts';
import { INTEGRATION_TIMEOUT, INTERNAL_FAILURE, LAMBDA_PROXY_FAILURE, MISSING_AUTHENTICATION_TOKEN } from './gateway-responses.ts';
import { buildLambdaContext, buildProxyEvent, mapProxyResult, type LambdaHandler } from './lambda-proxy.ts';
import type { TemplateContext, TemplateParams } from './vtl.ts';

/**
 * The local API Gateway (REST API, one stage) of the benchmark: GET /direct|sfn|lambda/turkeys/{breed},
 * wired as lib/api-gateway/routes.ts describes. It renders the real templates, runs the real ASL file
 * and calls the Lambda handler with a real proxy event; DynamoDB is reached through the client passed in.
 */

export interface LocalGatewayOptions {
  /** The client every DynamoDB call goes through (VTL Query, Step Functions SDK task). */
  dynamodb: DynamoDBClient;
  /** Stage variable `tableName`. */
  tableName: string;
  /** The Lambda handler behind /lambda (e.g. the bundle's `handler`). */
  lambdaHandler: LambdaHandler;
  /** Stage variable `stateMachineArn` (default: a local ARN for `breed-page`). */
  stateMachineArn?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Stage name in `$context.stage` and the proxy event (default `local`). */
  stage?: string;
  /** API Gateway's integration timeout (default 29,000 ms): past it the client gets 504. */
  integrationTimeoutMs?: number;
  /** Receives one entry per failed request (default: a JSON line on stderr). */
  log?: (entry: GatewayLogEntry) => void;
}

export interface GatewayLogEntry {
  level: 'error';
  message: string;
  requestId: string;
  route: string;
  error: string;
}

export interface LocalGateway {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Base URL of each backend: `${url}/direct` etc.; a backend answers `${base}/turkeys/{breed}`. */
  urls: Record<ApiRouteName, string>;
  stateMachineArn: string;
  /** Stops listening and closes every connection, idle keep-alive sockets included. */
  close(): Promise<void>;
}

export const DEFAULT_STATE_MACHINE_ARN = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:breed-page`;
const LISTEN_BACKLOG = 4096;
const API_ID = 'local';

const JSON_HEADERS = { 'content-type': 'application/json' };
const ROUTE_PATTERN = /^\/(direct|sfn|lambda)\/turkeys\/([^/]+)$/;
// A path API Gateway cannot decode: reported to get a 400 before any integration (docs/aws-fidelity.md A6;
// body unverified). The body is the one Express answers, so all backends agree locally.
const BAD_PATH: GatewayResponse = {
  statusCode: 400,
  headers: JSON_HEADERS,
  body: JSON.stringify(errorBody('BAD_REQUEST', BAD_REQUEST_MESSAGE)),
};

class IntegrationTimeoutError extends Error {}

/** Runs `work` for at most `ms`; past it, or when the client is gone, `controller` aborts the work. */
async function withTimeout<T>(ms: number, controller: AbortController, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new IntegrationTimeoutError(`integration timed out after ${ms} ms`);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The `[name, value]` header pairs of a request, names as the client sent them. */
function headerPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return pairs;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: GatewayResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': body.length });
  res.end(body);
}

/** `$context.requestTime` format: `09/Apr/2015:12:34:56 +0000`. */
function requestTime(date: Date): string {
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** Starts the local API Gateway. The state machine is built once here (~300 ms). */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  if (!options.tableName) throw new ConfigError('startLocalGateway needs a tableName (the stage variable the templates read)');
  if (typeof options.lambdaHandler !== 'function') throw new ConfigError('startLocalGateway needs a lambdaHandler function');
  const host = options.host ?? '127.0.0.1';
  const stage = options.stage ?? 'local';
  const timeoutMs = options.integrationTimeoutMs ?? 29_000;
  const stateMachineArn = options.stateMachineArn ?? DEFAULT_STATE_MACHINE_ARN;
  const log = options.log ?? ((entry: GatewayLogEntry) => console.error(JSON.stringify(entry)));
  const stageVariables: Record<string, string> = {
    [STAGE_VARIABLES.tableName]: options.tableName,
    [STAGE_VARIABLES.stateMachineArn]: stateMachineArn,
  };

  const machine = createLocalExpressStateMachine({
    definition: JSON.parse(readTemplate(TEMPLATE_FILES.sfnDefinition)) as object,
    arn: stateMachineArn,
    dynamodb: options.dynamodb,
  });
  const integrations = {
    direct: new AwsIntegration(API_ROUTES.direct, dynamodbQueryAction(options.dynamodb)),
    sfn: new AwsIntegration(API_ROUTES.sfn, startSyncExecutionAction(machine)),
  };

  async function handle(req: IncomingMessage, controller: AbortController): Promise<GatewayResponse> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = ROUTE_PATTERN.exec(url.pathname);
    if (req.method !== 'GET' || !match) return MISSING_AUTHENTICATION_TOKEN;
    const routeName = match[1] as ApiRouteName;
    // API Gateway hands `{breed}` on as the client sent it, percent-encoded, to the templates
    // ($input.params) and to the proxy event (pathParameters) alike; templates and handler decode it.
    const breed = match[2]!;
    try {
      // A path that is not valid percent-encoded UTF-8 is reported to get a 400 from API Gateway
      // before any integration runs (docs/aws-fidelity.md: unverified, probed by parity --stage aws).
      decodeURIComponent(breed);
    } catch {
      return BAD_PATH;
    }
    const body = await readBody(req);
    const now = new Date();
    const requestId = randomUUID();
    const route = API_ROUTES[routeName];
    const rawHeaders = headerPairs(req);
    const context: TemplateContext = {
      requestId,
      extendedRequestId: requestId,
      accountId: LOCAL_ACCOUNT_ID,
      apiId: API_ID,
      httpMethod: 'GET',
      resourceId: routeName,
      resourcePath: route.resourcePath,
      path: url.pathname,
      stage,
      protocol: `HTTP/${req.httpVersion}`,
      domainName: req.headers.host ?? host,
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      identity: { sourceIp: req.socket.remoteAddress ?? host, userAgent: req.headers['user-agent'] ?? null },
    };
    try {
      return await withTimeout(timeoutMs, controller, async (signal) => {
        if (routeName === 'lambda') {
          const event = buildProxyEvent({ rawPath: url.pathname, rawHeaders, query: url.searchParams, pathParameters: { [BREED_PATH_PARAMETER]: breed }, body, context, stageVariables });
          const result = await options.lambdaHandler(event, buildLambdaContext(requestId, 'turkeys-api', Date.now() + timeoutMs));
          const mapped = mapProxyResult(result);
          if (!mapped) throw new Error(`malformed Lambda proxy response: ${JSON.stringify(result)?.slice(0, 200)}`);
          return mapped;
        }
        const params: TemplateParams = {
          path: { [BREED_PATH_PARAMETER]: breed },
          querystring: Object.fromEntries(url.searchParams),
          header: Object.fromEntries(rawHeaders),
        };
        return integrations[routeName].invoke({ params, body, context, stageVariables }, signal);
      });
    } catch (error) {
      log({ level: 'error', message: 'local API Gateway request failed', requestId, route: route.resourcePath, error: error instanceof Error ? error.message : String(error) });
      if (error instanceof IntegrationTimeoutError) return INTEGRATION_TIMEOUT;
      return routeName === 'lambda' ? LAMBDA_PROXY_FAILURE : INTERNAL_FAILURE;
    }
  }

  const server = createServer((req, res) => {
    // A client that hung up (its own timeout) gets no answer; its integration stops too.
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new Error('client closed the connection'));
    });
    handle(req, controller).then(
      (response) => send(res, response),
      (error: unknown) => {
        log({ level: 'error', message: 'local API Gateway failed to answer', requestId: '', route: req.url ?? '', error: String(error) });
        if (!res.headersSent) send(res, INTERNAL_FAILURE);
        else res.destroy();
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    urls: { direct: `${url}/direct`, sfn: `${url}/sfn`, lambda: `${url}/lambda` },
    stateMachineArn,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
