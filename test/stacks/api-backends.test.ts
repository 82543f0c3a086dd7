import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, TerraformStack } from 'cdktf';
import { API_ROUTES, GATEWAY_RESPONSES, STAGE_VARIABLES, TEMPLATE_FILES, readTemplate, type IntegrationResponse } from '../../lib/api-gateway/routes.ts';
import { IAM_PROPAGATION_WAIT_SECONDS } from '../../stacks/constructs/apprunner-service.ts';
import { parseApiBackendsOutputs, TARGET_OUTPUT_KEYS } from '../../lib/stage/outputs.ts';
import { turkeysCreateTableInput } from '../../lib/turkeys/table.ts';
import { TURKEYS_API_BUNDLE } from '../../stacks/api-backends.ts';
import { DEFAULT_STACK_CONFIG } from '../../stacks/config.ts';
import { embedVerbatim } from '../../stacks/constructs/embedded-file.ts';
import { NodejsFunction } from '../../stacks/constructs/nodejs-function.ts';
import { only, ref, resources, roleStatements, synthAll, type Synthesized, type TfJson } from './synth-helper.ts';

const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };

describe('api-backends stack', () => {
  let synth: Synthesized;
  let stack: TfJson;
  before(() => {
    synth = synthAll();
    stack = synth.stacks['api-backends'];
  });
  after(() => synth?.cleanup());

  it('creates the turkeys table on demand with the byBreed GSI of lib/turkeys/table.ts', () => {
    const table = only(stack, 'aws_dynamodb_table');
    const input = turkeysCreateTableInput('sst-turkeys');
    assert.equal(table['name'], 'sst-turkeys');
    assert.equal(table['billing_mode'], 'PAY_PER_REQUEST');
    assert.equal(table['hash_key'], 'id');
    assert.deepEqual(table['attribute'], input.AttributeDefinitions.map((a) => ({ name: a.AttributeName, type: a.AttributeType })));
    assert.deepEqual(table['global_secondary_index'], [{ name: 'byBreed', hash_key: 'breed', range_key: 'name', projection_type: 'ALL' }]);
  });

  it('runs the Lambda bundle on nodejs22.x, arm64, 128 MB, with the table name and a log group with retention', () => {
    const fn = only(stack, 'aws_lambda_function');
    assert.equal(fn['runtime'], 'nodejs22.x');
    assert.deepEqual(fn['architectures'], ['arm64']);
    assert.equal(fn['memory_size'], 128);
    assert.equal(fn['handler'], 'index.handler');
    assert.deepEqual(fn['environment'], { variables: { TABLE_NAME: ref(stack, 'aws_dynamodb_table', 'name') } });
    assert.match(fn['filename'] as string, new RegExp(`/${fn['source_code_hash']}/archive\\.zip$`));
    assert.ok(existsSync(join(synth.outdir, 'stacks', 'api-backends', fn['filename'] as string)), 'the archive is written next to the plan');
    const logs = resources(stack, 'aws_cloudwatch_log_group').find((g) => g['name'] === '/aws/lambda/sst-turkeys-api');
    assert.equal(logs?.['retention_in_days'], DEFAULT_STACK_CONFIG.logRetentionDays);
  });

  it('gives every log group a retention', () => {
    const groups = resources(stack, 'aws_cloudwatch_log_group');
    assert.ok(groups.length >= 2);
    for (const g of groups) assert.ok(Number(g['retention_in_days']) > 0, `${g['name']} keeps logs forever`);
  });

  it('embeds the ASL file byte for byte in an Express state machine, and the ASL validates', () => {
    const machine = only(stack, 'aws_sfn_state_machine');
    assert.equal(machine['type'], 'EXPRESS');
    assert.equal(machine['definition'], readTemplate(TEMPLATE_FILES.sfnDefinition));
    const result = aslValidator(JSON.parse(machine['definition'] as string));
    assert.deepEqual(result.errors, []);
    assert.equal(result.isValid, true);
    assert.equal((machine['logging_configuration'] as { level: string }).level, 'ERROR');
  });

  it('refuses to embed a file Terraform would rewrite (its ${ and %{ template syntax)', () => {
    assert.throws(() => embedVerbatim('templates/x.vtl', '{"a":"${b}"}'), /templates\/x\.vtl contains "\$\{"/);
    assert.throws(() => embedVerbatim('templates/x.vtl', '%{ if x }'), /would interpolate/);
    assert.equal(embedVerbatim('templates/x.vtl', '#set($a = $input.params("b"))'), '#set($a = $input.params("b"))');
  });

  it('asl-validator does reject a broken definition (the check can fail)', () => {
    const broken = JSON.parse(readTemplate(TEMPLATE_FILES.sfnDefinition));
    broken.States.QueryBreed.Next = 'NoSuchState';
    assert.equal(aslValidator(broken).isValid, false);
  });

  it('builds the three REST routes of lib/api-gateway/routes.ts with the template files unchanged', () => {
    const paths = new Set(resources(stack, 'aws_api_gateway_resource').map((r) => r['path_part']));
    for (const part of ['direct', 'sfn', 'lambda', 'turkeys', '{breed}']) assert.ok(paths.has(part), part);
    const integrations = resources(stack, 'aws_api_gateway_integration');
    assert.equal(integrations.length, 3);
    for (const route of [API_ROUTES.direct, API_ROUTES.sfn]) {
      const partition = `\${data.aws_partition.${Object.keys(stack.data?.['aws_partition'] ?? {})[0]}.partition}`;
      const integration = integrations.find((i) => i['uri'] === `arn:${partition}:apigateway:us-east-1:${route.service}:action/${route.action}`);
      assert.ok(integration, `${route.service} integration`);
      assert.equal(integration['type'], 'AWS');
      assert.equal(integration['passthrough_behavior'], 'NEVER');
      assert.deepEqual(integration['request_templates'], { 'application/json': readTemplate(route.requestTemplate) });
    }
    const proxy = integrations.find((i) => i['type'] === 'AWS_PROXY');
    assert.equal(proxy?.['uri'], ref(stack, 'aws_lambda_function', 'invoke_arn'));
  });

  it('has the integration responses of the route data: selection patterns, status codes, templates byte for byte', () => {
    const responses = resources(stack, 'aws_api_gateway_integration_response');
    const expected: readonly IntegrationResponse[] = [...API_ROUTES.direct.integrationResponses, ...API_ROUTES.sfn.integrationResponses];
    assert.equal(responses.length, expected.length);
    for (const want of expected) {
      const found = responses.filter(
        (r) => r['status_code'] === want.statusCode && r['selection_pattern'] === want.selectionPattern && r['response_templates'] !== undefined,
      );
      assert.ok(found.some((r) => (r['response_templates'] as Record<string, string>)['application/json'] === readTemplate(want.template)), want.template);
    }
    const methodResponses = resources(stack, 'aws_api_gateway_method_response').map((r) => r['status_code']).sort();
    assert.deepEqual(methodResponses, ['200', '200', '400', '400', '500', '500']);
  });

  it('takes the ARN partition from the aws_partition data source: no arn:aws: literal in the stack', () => {
    assert.equal(Object.keys(stack.data?.['aws_partition'] ?? {}).length, 1, 'one aws_partition data source');
    // The ASL file is embedded byte for byte and names its SDK integration arn:aws:states:::... (see
    // docs/aws-fidelity.md, S2); everything else is built from the partition.
    const { aws_sfn_state_machine: _asl, ...rest } = stack.resource;
    const literal = JSON.stringify(rest).match(/arn:aws:[^"]{0,80}/g) ?? [];
    assert.deepEqual(literal, [], 'hard-coded arn:aws: in api-backends resources');
  });

  it("sets DEFAULT_4XX and DEFAULT_5XX gateway responses in the kit's JSON error shape", () => {
    const responses = resources(stack, 'aws_api_gateway_gateway_response');
    assert.deepEqual(responses.map((r) => r['response_type']).sort(), ['DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const response of responses) {
      assert.equal(response['rest_api_id'], ref(stack, 'aws_api_gateway_rest_api', 'id'));
      assert.equal(response['status_code'], undefined, 'each response type keeps its own status');
      const template = (response['response_templates'] as Record<string, string>)['application/json'];
      assert.equal(template, readTemplate(TEMPLATE_FILES.gatewayResponse));
      // Filled in as API Gateway does (plain substitution), it is the kit's error body.
      const body = template!.replace('$context.error.responseType', 'MISSING_AUTHENTICATION_TOKEN').replace('$context.error.messageString', '"Missing Authentication Token"');
      assert.deepEqual(JSON.parse(body), { error: { code: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' } });
    }
    assert.equal(GATEWAY_RESPONSES.length, responses.length);
  });

  it('redeploys the REST API on any integration change: the fingerprint covers every integration URI and credential ARN', () => {
    const deployment = only(stack, 'aws_api_gateway_deployment');
    const triggers = deployment['triggers'] as Record<string, string>;
    assert.match(triggers['redeployment']!, /^[0-9a-f]{64}$/);
    const integrations = triggers['integrations']!;
    assert.match(integrations, /^\$\{sha256\(jsonencode\(/);
    for (const id of Object.keys(stack.resource['aws_api_gateway_integration'] ?? {})) {
      for (const attribute of ['uri', 'credentials', 'type']) {
        assert.ok(integrations.includes(`aws_api_gateway_integration.${id}.${attribute}`), `${id}.${attribute} in the fingerprint`);
      }
    }
    const dependsOn = deployment['depends_on'] as string[];
    for (const id of Object.keys(stack.resource['aws_api_gateway_gateway_response'] ?? {})) {
      assert.ok(dependsOn.includes(`aws_api_gateway_gateway_response.${id}`), `deployment waits for ${id}`);
    }
  });

  it('waits for IAM to settle between the App Runner roles and the service (the "Error in assuming access role" race)', () => {
    const waits = Object.entries(stack.resource['terraform_data'] ?? {});
    assert.equal(waits.length, 1);
    const [waitId, wait] = waits[0]!;
    assert.deepEqual(wait['provisioner'], [{ 'local-exec': { command: `sleep ${IAM_PROPAGATION_WAIT_SECONDS}` } }]);
    const replaceOn = JSON.stringify(wait['triggers_replace']);
    for (const role of ['ecr-access', 'instance']) {
      const [roleId] = Object.entries(stack.resource['aws_iam_role'] ?? {}).find(([, r]) => String(r['name']).endsWith(`-turkeys-${role}`))!;
      assert.ok(replaceOn.includes(`aws_iam_role.${roleId}.arn`), `re-waits when the ${role} role changes`);
    }
    const service = only(stack, 'aws_apprunner_service');
    assert.ok((service['depends_on'] as string[]).includes(`terraform_data.${waitId}`), 'the service is created after the wait');
    assert.ok(((wait['depends_on'] as string[]) ?? []).some((d) => d.startsWith('aws_iam_role_policy.')), 'the wait starts after the role policies exist');
  });

  it('sets the stage variables the templates read', () => {
    const stage = only(stack, 'aws_api_gateway_stage');
    assert.deepEqual(stage['variables'], {
      [STAGE_VARIABLES.tableName]: ref(stack, 'aws_dynamodb_table', 'name'),
      [STAGE_VARIABLES.stateMachineArn]: ref(stack, 'aws_sfn_state_machine', 'arn'),
    });
    assert.equal(stage['stage_name'], 'bench');
  });

  it("lets API Gateway's roles call only their own table index and state machine", () => {
    assert.deepEqual(roleStatements(stack, 'sst-api-direct'), [
      { Sid: 'QueryBreedIndex', Effect: 'Allow', Action: ['dynamodb:Query'], Resource: [`${ref(stack, 'aws_dynamodb_table', 'arn')}/index/byBreed`] },
    ]);
    assert.deepEqual(roleStatements(stack, 'sst-api-sfn'), [
      { Sid: 'StartBreedPage', Effect: 'Allow', Action: ['states:StartSyncExecution'], Resource: [ref(stack, 'aws_sfn_state_machine', 'arn')] },
    ]);
    const permission = only(stack, 'aws_lambda_permission');
    assert.equal(permission['principal'], 'apigateway.amazonaws.com');
    // API Gateway presents the request's own path (/lambda/turkeys/Auburn), so the {breed} segment must be a wildcard.
    assert.equal(permission['source_arn'], `${ref(stack, 'aws_api_gateway_rest_api', 'execution_arn')}/*/GET/lambda/turkeys/*`);
  });

  it('runs App Runner at 1 vCPU / 2 GB, 100 requests per instance, 1 to 25 instances, from the pushed ECR image', () => {
    const service = only(stack, 'aws_apprunner_service');
    assert.deepEqual((service['instance_configuration'] as Record<string, unknown>)['cpu'], '1 vCPU');
    assert.deepEqual((service['instance_configuration'] as Record<string, unknown>)['memory'], '2 GB');
    const scaling = only(stack, 'aws_apprunner_auto_scaling_configuration_version');
    assert.deepEqual([scaling['max_concurrency'], scaling['min_size'], scaling['max_size']], [100, 1, 25]);
    const image = (service['source_configuration'] as { image_repository: Record<string, unknown> }).image_repository;
    assert.equal(image['image_repository_type'], 'ECR');
    assert.match(image['image_identifier'] as string, /^\$\{data\.aws_ecr_repository\.[^}]+\.repository_url\}@\$\{data\.aws_ecr_image\.[^}]+\.image_digest\}$/);
    assert.deepEqual((image['image_configuration'] as Record<string, unknown>)['runtime_environment_variables'], {
      PORT: '8080',
      TABLE_NAME: ref(stack, 'aws_dynamodb_table', 'name'),
    });
    assert.equal(Object.values(stack.data?.['aws_ecr_image'] ?? {})[0]?.['repository_name'], 'sst-apprunner-svc');
  });

  it('outputs every key of the api-backends contract, and the runner can parse them once resolved', () => {
    const contractKeys = [...Object.values(TARGET_OUTPUT_KEYS), 'tableName', 'region', 'config'];
    for (const key of contractKeys) assert.ok(stack.output[key], `output ${key}`);
    // Stand in for Terraform: resolve the references as a deploy would.
    const resolve = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value)
          .replace(/\$\{aws_api_gateway_stage\.[^}]+\.invoke_url\}/g, 'https://abc123.execute-api.us-east-1.amazonaws.com/bench')
          .replace(/\$\{aws_apprunner_service\.[^}]+\.service_url\}/g, 'xyz.us-east-1.awsapprunner.com')
          .replace(/\$\{aws_dynamodb_table\.[^}]+\.name\}/g, 'sst-turkeys'),
      );
    const file = { 'api-backends': Object.fromEntries(Object.entries(stack.output).map(([k, o]) => [k, resolve(o.value)])) };
    const parsed = parseApiBackendsOutputs(file, 'outputs.json');
    assert.equal(parsed.directUrl, 'https://abc123.execute-api.us-east-1.amazonaws.com/bench/direct');
    assert.equal(parsed.sfnUrl, 'https://abc123.execute-api.us-east-1.amazonaws.com/bench/sfn');
    assert.equal(parsed.lambdaUrl, 'https://abc123.execute-api.us-east-1.amazonaws.com/bench/lambda');
    assert.equal(parsed.apprunnerUrl, 'https://xyz.us-east-1.awsapprunner.com');
    assert.equal(parsed.tableName, 'sst-turkeys');
    assert.deepEqual(parsed.config, {
      region: 'us-east-1',
      lambdaMemoryMb: 128,
      lambdaArchitecture: 'arm64',
      lambdaRuntime: 'nodejs22.x',
      apprunnerCpu: '1 vCPU',
      apprunnerMemory: '2 GB',
      apprunnerMaxConcurrency: 100,
      apprunnerMinSize: 1,
      apprunnerMaxSize: 25,
      imageTag: 'latest',
    });
  });

  it('takes settings from cdktf.json context into the resources and the recorded config', () => {
    const custom = synthAll({ lambdaMemoryMb: 512, lambdaArchitecture: 'x86_64', apprunnerMaxConcurrency: 50, region: 'eu-west-1' });
    try {
      const s = custom.stacks['api-backends'];
      const fn = only(s, 'aws_lambda_function');
      assert.equal(fn['memory_size'], 512);
      assert.deepEqual(fn['architectures'], ['x86_64']);
      assert.equal(only(s, 'aws_apprunner_auto_scaling_configuration_version')['max_concurrency'], 50);
      assert.ok(resources(s, 'aws_api_gateway_integration').some((i) => /^arn:\$\{data\.aws_partition\.[^}]+\.partition\}:apigateway:eu-west-1:dynamodb:action\/Query$/.test(String(i['uri']))));
      assert.deepEqual((s.output['config']!.value as Record<string, unknown>)['lambdaMemoryMb'], 512);
      assert.equal(s.output['region']!.value, 'eu-west-1');
    } finally {
      custom.cleanup();
    }
  });
});

describe('Lambda asset hash', () => {
  const root = mkdtempSync(join(tmpdir(), 'sst-bundle-'));
  const bundle = join(root, TURKEYS_API_BUNDLE);
  after(() => rmSync(root, { recursive: true, force: true }));

  const hashFor = (code: string): string => {
    mkdirSync(join(bundle, '..'), { recursive: true });
    writeFileSync(bundle, code);
    const stack = new TerraformStack(new App({ outdir: join(root, 'out') }), 'hash');
    const fn = new NodejsFunction(stack, 'fn', { functionName: 'f', bundle: TURKEYS_API_BUNDLE, environment: {}, statements: [], config: DEFAULT_STACK_CONFIG, root });
    return fn.asset.assetHash;
  };

  it('changes when the bundle changes and stays put when it does not', () => {
    const first = hashFor('export const handler = async () => 1;');
    assert.equal(hashFor('export const handler = async () => 1;'), first);
    assert.notEqual(hashFor('export const handler = async () => 2;'), first);
  });

  it('stops the synth with the fix when the bundle was not built', () => {
    const stack = new TerraformStack(new App({ outdir: join(root, 'out') }), 'missing');
    assert.throws(
      () => new NodejsFunction(stack, 'fn', { functionName: 'f', bundle: 'dist/handlers/stream-processor/index.mjs', environment: {}, statements: [], config: DEFAULT_STACK_CONFIG, root }),
      /npm run build/,
    );
  });
});
