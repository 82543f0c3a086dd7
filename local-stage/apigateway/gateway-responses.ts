import { GATEWAY_RESPONSES, JSON_CONTENT_TYPE, readTemplate } from '../../lib/api-gateway/routes.ts';
import type { GatewayResponse } from './aws-integration.ts';

/**
 * Gateway responses: the answers API Gateway gives itself (no integration, or one that failed), with the
 * DEFAULT_4XX / DEFAULT_5XX bodies the stack sets (lib/api-gateway/routes.ts GATEWAY_RESPONSES). A
 * response type without its own gateway response falls back to DEFAULT_4XX or DEFAULT_5XX by its status
 * class and keeps its own status code (AWS doc "Gateway response types for API Gateway"). The body
 * template is not Velocity: API Gateway substitutes `$context.error.*` as plain text, as done here.
 */

export type GatewayResponseType =
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'INTEGRATION_TIMEOUT'
  | 'INTEGRATION_FAILURE'
  | 'API_CONFIGURATION_ERROR'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

const templates = new Map<string, string>(GATEWAY_RESPONSES.map((r) => [r.responseType, readTemplate(r.template)]));

/** `$context.error.*` substituted into a gateway response template, longest names first. */
export function substituteErrorVariables(template: string, error: { responseType: string; message: string }): string {
  return template
    .replaceAll('$context.error.messageString', JSON.stringify(error.message))
    .replaceAll('$context.error.message', error.message)
    .replaceAll('$context.error.responseType', error.responseType);
}

/** The gateway response of `responseType` with its status code and default message. */
export function gatewayResponse(responseType: GatewayResponseType, statusCode: number, message: string): GatewayResponse {
  const fallback = statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const template = templates.get(responseType) ?? templates.get(fallback);
  if (template === undefined) throw new Error(`no gateway response for ${responseType} and no ${fallback}`);
  return {
    statusCode,
    headers: { 'content-type': JSON_CONTENT_TYPE },
    body: substituteErrorVariables(template, { responseType, message }),
  };
}

/** A path or method no resource matches: 403 "Missing Authentication Token" (recorded AWS behaviour). */
export const MISSING_AUTHENTICATION_TOKEN = gatewayResponse('MISSING_AUTHENTICATION_TOKEN', 403, 'Missing Authentication Token');
/** The integration did not answer within the integration timeout (29 s). */
export const INTEGRATION_TIMEOUT = gatewayResponse('INTEGRATION_TIMEOUT', 504, 'Endpoint request timed out');
/**
 * A Lambda proxy integration whose function threw or returned a malformed result: 502 "Internal server
 * error". Which response type carries it is not documented (docs/aws-fidelity.md G4): DEFAULT_5XX here.
 */
export const LAMBDA_PROXY_FAILURE = gatewayResponse('DEFAULT_5XX', 502, 'Internal server error');
/** A mapping template or the gateway itself failed (docs/aws-fidelity.md G5: type unverified). */
export const INTERNAL_FAILURE = gatewayResponse('DEFAULT_5XX', 500, 'Internal server error');
