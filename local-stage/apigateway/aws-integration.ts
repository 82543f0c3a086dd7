import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  JSON_CONTENT_TYPE,
  readTemplate,
  selectIntegrationResponse,
  type AwsServiceRoute,
  type IntegrationResponse,
} from '../../lib/api-gateway/routes.ts';
import type { LocalExpressStateMachine } from '../stepfunctions/express-state-machine.ts';
import { VtlTemplate, type TemplateRequest } from './vtl.ts';

/**
 * An API Gateway AWS integration (type AWS, passthrough NEVER): request template → service action →
 * integration response selected by the service's status code → response template.
 */

/** What an AWS service answered over HTTP: the status code selection patterns match, and the body. */
export interface ServiceResponse {
  statusCode: number;
  body: string;
}

/**
 * One AWS service action, given the rendered request body (JSON). `signal` fires when API Gateway
 * has given up on the call (integration timeout, client gone): on AWS the service would go on with
 * its own capacity, but locally it shares the machine with the next target, so the work stops.
 */
export type AwsServiceAction = (requestBody: string, signal?: AbortSignal) => Promise<ServiceResponse>;

export interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: string | Buffer;
}

function serviceError(type: string, message: string, statusCode: number): ServiceResponse {
  return { statusCode, body: JSON.stringify({ __type: type, message }) };
}

/** An SDK or local error as the HTTP answer the service would have sent. */
function errorResponse(error: unknown): ServiceResponse {
  const e = error as { name?: string; message?: string; code?: string; statusCode?: number; $metadata?: { httpStatusCode?: number } };
  const statusCode = e?.$metadata?.httpStatusCode ?? e?.statusCode ?? 500;
  return serviceError(e?.code ?? e?.name ?? 'InternalFailure', e?.message ?? String(error), statusCode);
}

function parseRequest(requestBody: string): { ok: true; value: Record<string, unknown> } | { ok: false; response: ServiceResponse } {
  try {
    const value = JSON.parse(requestBody) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object');
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return { ok: false, response: serviceError('SerializationException', `request body is not a JSON object: ${String(error)}`, 400) };
  }
}

/** `dynamodb:action/Query` through the real SDK client. */
export function dynamodbQueryAction(client: DynamoDBClient): AwsServiceAction {
  return async (requestBody, signal) => {
    const request = parseRequest(requestBody);
    if (!request.ok) return request.response;
    try {
      const { $metadata: _metadata, ...result } = await client.send(new QueryCommand(request.value as never), signal ? { abortSignal: signal } : {});
      return { statusCode: 200, body: JSON.stringify(result) };
    } catch (error) {
      return errorResponse(error);
    }
  };
}

/** `states:action/StartSyncExecution` against the local Express state machine. */
export function startSyncExecutionAction(machine: LocalExpressStateMachine): AwsServiceAction {
  return async (requestBody, signal) => {
    const request = parseRequest(requestBody);
    if (!request.ok) return request.response;
    const { stateMachineArn, input, name } = request.value;
    if (stateMachineArn !== machine.arn) {
      return serviceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(stateMachineArn)}'`, 400);
    }
    try {
      const output = await machine.startSyncExecution({
        input: typeof input === 'string' ? input : '{}',
        ...(typeof name === 'string' ? { name } : {}),
        ...(signal ? { signal } : {}),
      });
      return { statusCode: 200, body: JSON.stringify(output) };
    } catch (error) {
      return errorResponse(error);
    }
  };
}

export class AwsIntegration {
  readonly route: AwsServiceRoute;
  readonly #action: AwsServiceAction;
  readonly #requestTemplate: VtlTemplate;
  readonly #responseTemplates: Map<IntegrationResponse, VtlTemplate>;

  /** Reads and parses the route's templates once. */
  constructor(route: AwsServiceRoute, action: AwsServiceAction) {
    this.route = route;
    this.#action = action;
    this.#requestTemplate = new VtlTemplate(readTemplate(route.requestTemplate), route.requestTemplate);
    this.#responseTemplates = new Map(
      route.integrationResponses.map((response) => [response, new VtlTemplate(readTemplate(response.template), response.template)]),
    );
  }

  /** `request.body` is the method request body; template failures throw TemplateRenderError. */
  async invoke(request: TemplateRequest, signal?: AbortSignal): Promise<GatewayResponse> {
    const integrationRequest = this.#requestTemplate.render(request);
    const serviceResponse = await this.#action(integrationRequest.body, signal);
    const selected = selectIntegrationResponse(this.route.integrationResponses, serviceResponse.statusCode);
    const rendered = this.#responseTemplates.get(selected)!.render({ ...request, body: serviceResponse.body });
    return {
      statusCode: rendered.statusOverride ?? Number(selected.statusCode),
      headers: { 'content-type': JSON_CONTENT_TYPE, ...rendered.headerOverrides },
      body: rendered.body,
    };
  }
}
