/**
 * The API Gateway REST API of the benchmark, as data. Read by the Terraform stacks and by the local
 * gateway (local-stage/apigateway/), so both serve the same routes with the same template files.
 *
 * Exports (names are a contract; the stacks depend on them):
 * - `RESOURCE_PATHS`: `{ direct, sfn, lambda }` resource paths, each ending in `/turkeys/{breed}`.
 * - `BREED_PATH_PARAMETER`: `'breed'`, the one method request path parameter (required).
 * - `STAGE_VARIABLES`: the stage variable names the templates read (`tableName`, `stateMachineArn`).
 * - `TEMPLATE_FILES`: repo-relative paths of every VTL template and of the ASL definition.
 * - `API_ROUTES`: `{ direct, sfn }` (AWS integrations with VTL) and `{ lambda }` (proxy integration).
 *   An AWS route gives the service and action (integration URI
 *   `arn:aws:apigateway:{region}:{service}:action/{action}`, HTTP method POST, passthrough NEVER), the
 *   request template, the integration responses in the order API Gateway must try them, and the method
 *   response status codes. `selectionPattern: undefined` is the default response; a pattern is a Java
 *   regex matched against the whole status code the service answered with.
 * - `GATEWAY_RESPONSES`: the gateway responses the stack sets (DEFAULT_4XX, DEFAULT_5XX) and their body
 *   template: every error API Gateway itself answers (unknown path, timeout, throttling, ...) in the kit's
 *   JSON error shape, `{"error":{"code":<response type>,"message":...}}`. The template is NOT Velocity:
 *   API Gateway substitutes `$context.error.*` variables in it as plain text.
 * - `awsIntegrationUri(service, action, region, partition)`: that URI.
 * - `readTemplate(path)`: a template's text, read from the repo root (embed it byte for byte).
 */
import { readFileSync } from 'node:fs';
import { repoPath } from '../repo-root.ts';

export const BREED_PATH_PARAMETER = 'breed';

export const RESOURCE_PATHS = {
  direct: '/direct/turkeys/{breed}',
  sfn: '/sfn/turkeys/{breed}',
  lambda: '/lambda/turkeys/{breed}',
} as const;

export const STAGE_VARIABLES = {
  tableName: 'tableName',
  stateMachineArn: 'stateMachineArn',
} as const;
export type StageVariableName = keyof typeof STAGE_VARIABLES;

export const TEMPLATE_FILES = {
  directRequest: 'templates/direct/request.vtl',
  directResponse: 'templates/direct/response.vtl',
  sfnRequest: 'templates/sfn/request.vtl',
  sfnResponse: 'templates/sfn/response.vtl',
  integrationError: 'templates/common/integration-error.vtl',
  sfnDefinition: 'templates/sfn/breed-page.asl.json',
  gatewayResponse: 'templates/common/gateway-response.json',
} as const;
export type TemplateFile = (typeof TEMPLATE_FILES)[keyof typeof TEMPLATE_FILES];

/** The content type every template is keyed by and every response carries. */
export const JSON_CONTENT_TYPE = 'application/json';

export interface IntegrationResponse {
  /** Java regex over the service's HTTP status code; undefined marks the default response. */
  selectionPattern: string | undefined;
  statusCode: '200' | '400' | '500';
  template: TemplateFile;
}

export interface AwsServiceRoute {
  kind: 'aws';
  resourcePath: string;
  httpMethod: 'GET';
  service: 'dynamodb' | 'states';
  action: 'Query' | 'StartSyncExecution';
  requestTemplate: TemplateFile;
  integrationResponses: readonly IntegrationResponse[];
  methodResponseStatusCodes: readonly string[];
  /** Stage variables the templates of this route read. */
  stageVariables: readonly StageVariableName[];
}

export interface LambdaProxyRoute {
  kind: 'lambda-proxy';
  resourcePath: string;
  httpMethod: 'GET';
}

const SERVICE_ERROR_PATTERN = '[45]\\d{2}';
const METHOD_RESPONSE_STATUS_CODES = ['200', '400', '500'] as const;

export const API_ROUTES = {
  direct: {
    kind: 'aws',
    resourcePath: RESOURCE_PATHS.direct,
    httpMethod: 'GET',
    service: 'dynamodb',
    action: 'Query',
    requestTemplate: TEMPLATE_FILES.directRequest,
    integrationResponses: [
      { selectionPattern: undefined, statusCode: '200', template: TEMPLATE_FILES.directResponse },
      { selectionPattern: SERVICE_ERROR_PATTERN, statusCode: '500', template: TEMPLATE_FILES.integrationError },
    ],
    methodResponseStatusCodes: METHOD_RESPONSE_STATUS_CODES,
    stageVariables: ['tableName'],
  },
  sfn: {
    kind: 'aws',
    resourcePath: RESOURCE_PATHS.sfn,
    httpMethod: 'GET',
    service: 'states',
    action: 'StartSyncExecution',
    requestTemplate: TEMPLATE_FILES.sfnRequest,
    integrationResponses: [
      { selectionPattern: undefined, statusCode: '200', template: TEMPLATE_FILES.sfnResponse },
      { selectionPattern: SERVICE_ERROR_PATTERN, statusCode: '500', template: TEMPLATE_FILES.integrationError },
    ],
    methodResponseStatusCodes: METHOD_RESPONSE_STATUS_CODES,
    stageVariables: ['tableName', 'stateMachineArn'],
  },
  lambda: {
    kind: 'lambda-proxy',
    resourcePath: RESOURCE_PATHS.lambda,
    httpMethod: 'GET',
  },
} as const satisfies { direct: AwsServiceRoute; sfn: AwsServiceRoute; lambda: LambdaProxyRoute };

export type ApiRouteName = keyof typeof API_ROUTES;

/**
 * The gateway responses the stack sets. Response types without their own gateway response fall back to
 * DEFAULT_4XX / DEFAULT_5XX and keep their own status code (AWS doc "Gateway response types for API
 * Gateway"), so e.g. MISSING_AUTHENTICATION_TOKEN stays 403 with this body.
 */
export const GATEWAY_RESPONSES = [
  { responseType: 'DEFAULT_4XX', template: TEMPLATE_FILES.gatewayResponse },
  { responseType: 'DEFAULT_5XX', template: TEMPLATE_FILES.gatewayResponse },
] as const;

/**
 * The integration URI of an AWS service action, e.g. `arn:aws:apigateway:eu-west-1:dynamodb:action/Query`;
 * `partition` is `aws`, `aws-cn` or `aws-us-gov` (the stacks pass the `aws_partition` data source's).
 */
export function awsIntegrationUri(service: string, action: string, region: string, partition = 'aws'): string {
  return `arn:${partition}:apigateway:${region}:${service}:action/${action}`;
}

/** The text of a template file, read from the repo root. */
export function readTemplate(path: TemplateFile | string): string {
  return readFileSync(repoPath(path), 'utf8');
}

/**
 * The integration response API Gateway selects for a service status code: the first whose pattern
 * matches the whole code, else the default one.
 */
export function selectIntegrationResponse(
  responses: readonly IntegrationResponse[],
  serviceStatusCode: number,
): IntegrationResponse {
  const code = String(serviceStatusCode);
  const matched = responses.find((r) => r.selectionPattern !== undefined && new RegExp(`^(?:${r.selectionPattern})$`).test(code));
  const selected = matched ?? responses.find((r) => r.selectionPattern === undefined);
  if (!selected) throw new Error(`no integration response for status ${code} and no default response`);
  return selected;
}
