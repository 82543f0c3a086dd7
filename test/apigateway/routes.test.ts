import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  API_ROUTES,
  awsIntegrationUri,
  readTemplate,
  RESOURCE_PATHS,
  selectIntegrationResponse,
  STAGE_VARIABLES,
  TEMPLATE_FILES,
} from '../../lib/api-gateway/routes.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';

describe('lib/api-gateway/routes.ts', () => {
  it('every template file exists and reads as text', () => {
    for (const path of Object.values(TEMPLATE_FILES)) {
      assert.ok(existsSync(join(REPO_ROOT, path)), path);
      assert.ok(readTemplate(path).length > 50, path);
    }
  });

  it('routes name only known template files and stage variables', () => {
    const files = new Set<string>(Object.values(TEMPLATE_FILES));
    for (const route of [API_ROUTES.direct, API_ROUTES.sfn]) {
      assert.ok(files.has(route.requestTemplate));
      for (const response of route.integrationResponses) {
        assert.ok(files.has(response.template));
        assert.ok(route.methodResponseStatusCodes.includes(response.statusCode));
      }
      for (const name of route.stageVariables) assert.ok(Object.hasOwn(STAGE_VARIABLES, name));
      // Every stage variable a route's templates read is declared on the route.
      const text = [route.requestTemplate, ...route.integrationResponses.map((r) => r.template)].map(readTemplate).join('\n');
      for (const used of text.matchAll(/\$stageVariables\.(\w+)/g)) assert.ok((route.stageVariables as readonly string[]).includes(used[1]!), used[1]);
    }
  });

  it('resource paths share /turkeys/{breed}', () => {
    assert.deepEqual(Object.values(RESOURCE_PATHS), ['/direct/turkeys/{breed}', '/sfn/turkeys/{breed}', '/lambda/turkeys/{breed}']);
  });

  it('selects the default response for 2xx and the error response for any 4xx/5xx status', () => {
    const responses = API_ROUTES.direct.integrationResponses;
    assert.equal(selectIntegrationResponse(responses, 200).statusCode, '200');
    assert.equal(selectIntegrationResponse(responses, 400).template, TEMPLATE_FILES.integrationError);
    assert.equal(selectIntegrationResponse(responses, 503).template, TEMPLATE_FILES.integrationError);
    assert.equal(selectIntegrationResponse(responses, 4000).statusCode, '200', 'patterns match the whole status code');
  });

  it('builds AWS integration URIs', () => {
    assert.equal(awsIntegrationUri('dynamodb', API_ROUTES.direct.action, 'eu-west-1'), 'arn:aws:apigateway:eu-west-1:dynamodb:action/Query');
  });
});

describe('gateway responses (local-stage/apigateway/gateway-responses.ts)', () => {
  it('fill the stack template by plain substitution, as API Gateway does, into the kit error shape', async () => {
    const { gatewayResponse, substituteErrorVariables } = await import('../../local-stage/apigateway/gateway-responses.ts');
    const timeout = gatewayResponse('INTEGRATION_TIMEOUT', 504, 'Endpoint request timed out');
    assert.deepEqual([timeout.statusCode, JSON.parse(String(timeout.body))], [504, { error: { code: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' } }]);
    // messageString is the quoted message, message the bare one; the longer name is not cut short.
    assert.equal(substituteErrorVariables('$context.error.messageString|$context.error.message', { responseType: 'X', message: 'a b' }), '"a b"|a b');
  });
});
