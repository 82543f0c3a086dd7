import { ApiGatewayDeployment } from '@cdktf/provider-aws/lib/api-gateway-deployment/index.js';
import { ApiGatewayGatewayResponse } from '@cdktf/provider-aws/lib/api-gateway-gateway-response/index.js';
import { ApiGatewayIntegration } from '@cdktf/provider-aws/lib/api-gateway-integration/index.js';
import { ApiGatewayIntegrationResponse } from '@cdktf/provider-aws/lib/api-gateway-integration-response/index.js';
import { ApiGatewayMethod } from '@cdktf/provider-aws/lib/api-gateway-method/index.js';
import { ApiGatewayMethodResponse } from '@cdktf/provider-aws/lib/api-gateway-method-response/index.js';
import { ApiGatewayResource } from '@cdktf/provider-aws/lib/api-gateway-resource/index.js';
import { ApiGatewayRestApi } from '@cdktf/provider-aws/lib/api-gateway-rest-api/index.js';
import { ApiGatewayStage } from '@cdktf/provider-aws/lib/api-gateway-stage/index.js';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition/index.js';
import { Fn, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import {
  API_ROUTES,
  BREED_PATH_PARAMETER,
  GATEWAY_RESPONSES,
  JSON_CONTENT_TYPE,
  STAGE_VARIABLES,
  awsIntegrationUri,
  readTemplate,
  type ApiRouteName,
  type StageVariableName,
} from '../../lib/api-gateway/routes.ts';
import { embedVerbatim } from './embedded-file.ts';

export interface RestApiProps {
  apiName: string;
  region: string;
  stageName: string;
  /** Role API Gateway assumes for each AWS service route (direct → DynamoDB, sfn → Step Functions). */
  credentials: { direct: string; sfn: string };
  lambdaInvokeArn: string;
  stageVariables: Record<StageVariableName, string>;
}

/**
 * The benchmark's REST API built from the route data in lib/api-gateway/routes.ts: the same resource
 * paths, integrations and template files the local gateway serves.
 */
export class RestApi extends Construct {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  private readonly resources = new Map<string, ApiGatewayResource>();

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    this.api = new ApiGatewayRestApi(this, 'api', { name: props.apiName, endpointConfiguration: { types: ['REGIONAL'] } });
    // arn:aws, arn:aws-cn or arn:aws-us-gov: the region setting accepts cn-* and us-gov-* regions.
    const partition = new DataAwsPartition(this, 'partition').partition;
    const parts: ITerraformDependable[] = [];
    /** Every integration, so the deployment's fingerprint covers what Terraform only knows at plan time. */
    const integrations: ApiGatewayIntegration[] = [];
    const templates = (path: string) => ({ [JSON_CONTENT_TYPE]: embedVerbatim(path, readTemplate(path)) });

    for (const [name, route] of Object.entries(API_ROUTES) as [ApiRouteName, (typeof API_ROUTES)[ApiRouteName]][]) {
      const resource = this.resourceFor(route.resourcePath);
      const common = { restApiId: this.api.id, resourceId: resource.id, httpMethod: route.httpMethod };
      const method = new ApiGatewayMethod(this, `${name}-method`, {
        ...common,
        authorization: 'NONE',
        requestParameters: { [`method.request.path.${BREED_PATH_PARAMETER}`]: true },
      });
      if (route.kind === 'lambda-proxy') {
        const integration = new ApiGatewayIntegration(this, `${name}-integration`, {
          ...common,
          httpMethod: method.httpMethod,
          type: 'AWS_PROXY',
          integrationHttpMethod: 'POST',
          uri: props.lambdaInvokeArn,
        });
        integrations.push(integration);
        parts.push(method, integration);
        continue;
      }
      const integration = new ApiGatewayIntegration(this, `${name}-integration`, {
        ...common,
        httpMethod: method.httpMethod,
        type: 'AWS',
        integrationHttpMethod: 'POST',
        uri: awsIntegrationUri(route.service, route.action, props.region, partition),
        credentials: props.credentials[name as keyof RestApiProps['credentials']],
        passthroughBehavior: 'NEVER',
        requestTemplates: templates(route.requestTemplate),
      });
      integrations.push(integration);
      const methodResponses = route.methodResponseStatusCodes.map(
        (statusCode) => new ApiGatewayMethodResponse(this, `${name}-method-response-${statusCode}`, { ...common, httpMethod: method.httpMethod, statusCode }),
      );
      const integrationResponses = route.integrationResponses.map(
        (response) =>
          new ApiGatewayIntegrationResponse(this, `${name}-integration-response-${response.statusCode}`, {
            ...common,
            httpMethod: method.httpMethod,
            statusCode: response.statusCode,
            ...(response.selectionPattern === undefined ? {} : { selectionPattern: response.selectionPattern }),
            responseTemplates: templates(response.template),
            dependsOn: [integration, ...methodResponses],
          }),
      );
      parts.push(method, integration, ...methodResponses, ...integrationResponses);
    }

    // Errors API Gateway answers itself (unknown path 403, integration timeout 504, throttling 429, ...) in
    // the kit's JSON error shape; each type keeps its own status code.
    for (const response of GATEWAY_RESPONSES) {
      parts.push(
        new ApiGatewayGatewayResponse(this, `gateway-response-${response.responseType.toLowerCase()}`, {
          restApiId: this.api.id,
          responseType: response.responseType,
          responseTemplates: templates(response.template),
        }),
      );
    }

    // A new deployment whenever anything the stage serves changes; the stage then points at it. The route
    // data and template files are hashed here; integration URIs and credential ARNs are only known to
    // Terraform (a recreated role keeps its name but not necessarily its ARN), so Terraform hashes those.
    const fingerprint = createHash('sha256')
      .update(JSON.stringify(API_ROUTES))
      .update(JSON.stringify(GATEWAY_RESPONSES))
      .update(
        [
          ...Object.values(API_ROUTES).flatMap((r) => (r.kind === 'aws' ? [r.requestTemplate, ...r.integrationResponses.map((x) => x.template)] : [])),
          ...GATEWAY_RESPONSES.map((r) => r.template),
        ]
          .map((path) => readTemplate(path))
          .join('\0'),
      )
      .digest('hex');
    const integrationFingerprint = Fn.sha256(
      Fn.jsonencode(integrations.map((integration) => ({ type: integration.type, uri: integration.uri, credentials: integration.credentials }))),
    );
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      restApiId: this.api.id,
      triggers: { redeployment: fingerprint, integrations: integrationFingerprint },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: parts,
    });
    this.stage = new ApiGatewayStage(this, 'stage', {
      restApiId: this.api.id,
      deploymentId: deployment.id,
      stageName: props.stageName,
      variables: Object.fromEntries(Object.entries(STAGE_VARIABLES).map(([key, variable]) => [variable, props.stageVariables[key as StageVariableName]])),
    });
  }

  /** The invoke URL of the stage followed by a path, e.g. `/direct`. */
  url(path: string): string {
    return `${this.stage.invokeUrl}${path}`;
  }

  /**
   * Execution ARN pattern for Lambda permissions: any stage, the given method and resource path. API
   * Gateway invokes with the request's actual path (`/lambda/turkeys/Auburn`), so each `{param}`
   * becomes `*`; a literal `{breed}` would match no request and every call would fail with 500.
   */
  executeArn(method: string, path: string): string {
    return `${this.api.executionArn}/*/${method}${path.replace(/\{[^}]+\}/g, '*')}`;
  }

  private resourceFor(path: string): ApiGatewayResource {
    let parentId = this.api.rootResourceId;
    let soFar = '';
    let resource: ApiGatewayResource | undefined;
    for (const part of path.split('/').filter(Boolean)) {
      soFar += `/${part}`;
      resource = this.resources.get(soFar);
      if (!resource) {
        const id = `resource${soFar.replace(/[{}]/g, '').replace(/\//g, '-')}`;
        resource = new ApiGatewayResource(this, id, { restApiId: this.api.id, parentId, pathPart: part });
        this.resources.set(soFar, resource);
      }
      parentId = resource.id;
    }
    if (!resource) throw new Error(`route path "${path}" has no segments`);
    return resource;
  }
}
