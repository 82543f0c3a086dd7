import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission/index.js';
import { SfnStateMachine } from '@cdktf/provider-aws/lib/sfn-state-machine/index.js';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { RESOURCE_PATHS, TEMPLATE_FILES, readTemplate } from '../lib/api-gateway/routes.ts';
import { API_BACKENDS_STACK, type ApiBackendsOutputs } from '../lib/stage/outputs.ts';
import { TURKEYS_TABLE, turkeysCreateTableInput } from '../lib/turkeys/table.ts';
import { BUNDLE_OUTFILES } from '../scripts/bundles.ts';
import { apiBackendsRecordedConfig, type StackConfig } from './config.ts';
import { AppRunnerService } from './constructs/apprunner-service.ts';
import { tableFromCreateInput } from './constructs/dynamodb-table.ts';
import { embedVerbatim } from './constructs/embedded-file.ts';
import { logGroup, logWriteArn } from './constructs/log-group.ts';
import { NodejsFunction } from './constructs/nodejs-function.ts';
import { RestApi } from './constructs/rest-api.ts';
import { ServiceRole, WHY_WILDCARD, type Statement } from './constructs/service-role.ts';
import { awsProvider } from './provider.ts';

export { API_BACKENDS_STACK };
export const TURKEYS_API_BUNDLE = BUNDLE_OUTFILES.turkeysApi;

/** The mount point of each route under the stage URL: `${invokeUrl}/direct` answers /turkeys/{breed}. */
const routeBase = (path: string) => path.replace(/\/turkeys\/\{breed\}$/, '');

/**
 * The API benchmark: the turkeys table, the REST API with its three routes (DynamoDB direct, Express
 * Step Functions, Lambda proxy), the Lambda function, the state machine and the App Runner service.
 */
export class ApiBackendsStack extends TerraformStack {
  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    const prefix = config.namePrefix;
    awsProvider(this, config.region, id);

    const table = tableFromCreateInput(this, 'turkeys-table', turkeysCreateTableInput(`${prefix}-${TURKEYS_TABLE.name}`));
    const queryBreedIndex: Statement = {
      sid: 'QueryBreedIndex',
      actions: ['dynamodb:Query'],
      resources: [`${table.arn}/index/${TURKEYS_TABLE.breedIndex.name}`],
    };

    const lambda = new NodejsFunction(this, 'turkeys-api', {
      functionName: `${prefix}-turkeys-api`,
      bundle: TURKEYS_API_BUNDLE,
      environment: { TABLE_NAME: table.name },
      statements: [queryBreedIndex],
      config,
    });

    const sfnLogs = logGroup(this, 'breed-page-logs', `/aws/vendedlogs/states/${prefix}-breed-page`, config.logRetentionDays);
    const sfnRole = new ServiceRole(this, 'breed-page-role', {
      roleName: `${prefix}-breed-page-sfn`,
      service: 'states.amazonaws.com',
      statements: [
        queryBreedIndex,
        {
          sid: 'DeliverLogs',
          actions: [
            'logs:CreateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:DescribeLogGroups',
            'logs:DescribeResourcePolicies',
            'logs:GetLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:UpdateLogDelivery',
          ],
          resources: ['*'],
          wildcardResourceReason: WHY_WILDCARD.logDelivery,
        },
      ],
    });
    const definitionFile = TEMPLATE_FILES.sfnDefinition;
    const stateMachine = new SfnStateMachine(this, 'breed-page', {
      name: `${prefix}-breed-page`,
      type: 'EXPRESS',
      roleArn: sfnRole.arn,
      definition: embedVerbatim(definitionFile, readTemplate(definitionFile)),
      loggingConfiguration: { logDestination: logWriteArn(sfnLogs), level: 'ERROR', includeExecutionData: false },
      dependsOn: [sfnRole.policy],
    });

    const directRole = new ServiceRole(this, 'api-direct-role', {
      roleName: `${prefix}-api-direct`,
      service: 'apigateway.amazonaws.com',
      statements: [queryBreedIndex],
    });
    const sfnApiRole = new ServiceRole(this, 'api-sfn-role', {
      roleName: `${prefix}-api-sfn`,
      service: 'apigateway.amazonaws.com',
      statements: [{ sid: 'StartBreedPage', actions: ['states:StartSyncExecution'], resources: [stateMachine.arn] }],
    });
    const api = new RestApi(this, 'rest-api', {
      apiName: `${prefix}-turkeys`,
      region: config.region,
      stageName: config.apiStageName,
      credentials: { direct: directRole.arn, sfn: sfnApiRole.arn },
      lambdaInvokeArn: lambda.fn.invokeArn,
      stageVariables: { tableName: table.name, stateMachineArn: stateMachine.arn },
    });
    new LambdaPermission(this, 'api-invokes-lambda', {
      statementId: 'AllowApiGatewayInvoke',
      action: 'lambda:InvokeFunction',
      functionName: lambda.fn.functionName,
      principal: 'apigateway.amazonaws.com',
      sourceArn: api.executeArn('GET', RESOURCE_PATHS.lambda),
    });

    const apprunner = new AppRunnerService(this, 'apprunner', {
      serviceName: `${prefix}-turkeys`,
      config,
      environment: { TABLE_NAME: table.name },
      statements: [queryBreedIndex],
    });

    const outputs: Record<keyof Omit<ApiBackendsOutputs, 'dynamodbEndpoint'>, unknown> = {
      directUrl: api.url(routeBase(RESOURCE_PATHS.direct)),
      sfnUrl: api.url(routeBase(RESOURCE_PATHS.sfn)),
      lambdaUrl: api.url(routeBase(RESOURCE_PATHS.lambda)),
      apprunnerUrl: apprunner.url,
      tableName: table.name,
      region: config.region,
      config: apiBackendsRecordedConfig(config),
    };
    for (const [name, value] of Object.entries(outputs)) new TerraformOutput(this, name, { value });
    new TerraformOutput(this, 'stateMachineArn', { value: stateMachine.arn });
    new TerraformOutput(this, 'lambdaFunctionName', { value: lambda.fn.functionName });
  }
}
