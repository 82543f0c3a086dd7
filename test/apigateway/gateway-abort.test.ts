import assert from 'node:assert/strict';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { startLocalGateway, type LocalGateway } from '../../local-stage/apigateway/gateway.ts';
import { localClientConfig } from '../../local-stage/local-aws.ts';

/**
 * A backend call API Gateway gave up on must stop on the local stage: on AWS it would go on using the
 * service's own capacity, but locally it would eat the CPU of whatever target is measured next.
 */
describe('local API Gateway stops integrations it gave up on', () => {
  let hanging: Server;
  const open = new Set<IncomingMessage>();
  let aborted = 0;
  let gateway: LocalGateway;
  let slowGateway: LocalGateway;
  let dynamodb: DynamoDBClient;

  before(async () => {
    // A "DynamoDB" that reads every request and never answers; it counts callers that hang up.
    hanging = createServer((req) => {
      open.add(req);
      req.socket.once('close', () => {
        open.delete(req);
        aborted++;
      });
      req.resume();
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    dynamodb = new DynamoDBClient({ ...localClientConfig(`http://127.0.0.1:${(hanging.address() as AddressInfo).port}`), maxAttempts: 1 });
    const lambdaHandler = async () => ({ statusCode: 200, body: '{}' });
    gateway = await startLocalGateway({ dynamodb, tableName: 'turkeys', lambdaHandler, integrationTimeoutMs: 300, log: () => {} });
    slowGateway = await startLocalGateway({ dynamodb, tableName: 'turkeys', lambdaHandler, integrationTimeoutMs: 20_000, log: () => {} });
  });

  after(async () => {
    await gateway?.close();
    await slowGateway?.close();
    dynamodb?.destroy();
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  async function untilNoOpenCalls(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (open.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(open.size, 0, `${open.size} DynamoDB call(s) still open`);
  }

  for (const route of ['direct', 'sfn'] as const) {
    it(`${route}: past the integration timeout the client gets 504 and the DynamoDB call is aborted`, async () => {
      const before = aborted;
      const started = Date.now();
      const response = await request(`${gateway.urls[route]}/turkeys/Buff`);
      assert.equal(response.statusCode, 504);
      assert.deepEqual(await response.body.json(), { error: { code: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' } });
      assert.ok(Date.now() - started < 5_000);
      await untilNoOpenCalls(3_000);
      assert.ok(aborted > before, 'the hanging DynamoDB call was closed by the gateway');
    });
  }

  it('a client that hangs up stops its integration too', async () => {
    const before = aborted;
    await assert.rejects(request(`${slowGateway.urls.sfn}/turkeys/Buff`, { headersTimeout: 300 }), { code: 'UND_ERR_HEADERS_TIMEOUT' });
    await untilNoOpenCalls(3_000);
    assert.ok(aborted > before, 'the DynamoDB call of the abandoned request was closed');
  });
});
