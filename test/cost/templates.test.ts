import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readTemplate, TEMPLATE_FILES } from '../../lib/api-gateway/routes.ts';
import { VtlTemplate, type TemplateRequest } from '../../local-stage/apigateway/vtl.ts';

// The response templates carry the quantities AWS bills by back to the runner as x-sst-* headers:
// ConsumedCapacity (direct) and billingDetails (sfn), without changing the body.
function request(body: string, breed = 'Auburn'): TemplateRequest {
  return {
    params: { path: { breed }, querystring: {}, header: {} },
    body,
    context: {
      requestId: 'r', extendedRequestId: 'r', accountId: '000000000000', apiId: 'local', httpMethod: 'GET', resourceId: 'x',
      resourcePath: '/x/turkeys/{breed}', path: '/x/turkeys/Auburn', stage: 'local', protocol: 'HTTP/1.1', domainName: 'localhost',
      requestTime: '01/Jan/2026:00:00:00 +0000', requestTimeEpoch: 0, identity: { sourceIp: '127.0.0.1', userAgent: 'test' },
    },
    stageVariables: { tableName: 't', stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:bp' },
  };
}

describe('cost headers from the response templates', () => {
  it('direct: x-sst-read-units from ConsumedCapacity.CapacityUnits; the body is unchanged', () => {
    const template = new VtlTemplate(readTemplate(TEMPLATE_FILES.directResponse), 'direct');
    const withCapacity = template.render(request(JSON.stringify({ Items: [], Count: 0, ConsumedCapacity: { TableName: 't', CapacityUnits: 1.5 } })));
    assert.equal(withCapacity.headerOverrides['x-sst-read-units'], '1.5');
    const without = template.render(request(JSON.stringify({ Items: [], Count: 0 })));
    assert.equal(without.headerOverrides['x-sst-read-units'], undefined);
    assert.deepEqual(JSON.parse(withCapacity.body), JSON.parse(without.body));
  });

  it('sfn: billingDetails as billed duration, memory and their product, on success and failure alike', () => {
    const template = new VtlTemplate(readTemplate(TEMPLATE_FILES.sfnResponse), 'sfn');
    const billingDetails = { billedDurationInMilliseconds: 300, billedMemoryUsedInMB: 64 };
    const ok = template.render(request(JSON.stringify({ status: 'SUCCEEDED', output: '{"breed":"Auburn","count":0,"turkeys":[]}', billingDetails })));
    assert.deepEqual(
      Object.fromEntries(Object.entries(ok.headerOverrides).filter(([k]) => k.startsWith('x-sst-'))),
      { 'x-sst-billed-duration-ms': '300', 'x-sst-billed-memory-mb': '64', 'x-sst-billed-mb-ms': '19200' },
    );
    assert.deepEqual(JSON.parse(ok.body), { breed: 'Auburn', count: 0, turkeys: [] });
    const failed = template.render(request(JSON.stringify({ status: 'FAILED', error: 'x', cause: 'y', billingDetails })));
    assert.equal(failed.statusOverride, 500);
    assert.equal(failed.headerOverrides['x-sst-billed-mb-ms'], '19200');
    const none = template.render(request(JSON.stringify({ status: 'SUCCEEDED', output: '{}' })));
    assert.equal(none.headerOverrides['x-sst-billed-duration-ms'], undefined);
  });
});
