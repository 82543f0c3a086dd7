import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { buildBundles } from '../../scripts/build-bundles.ts';
import { SERVICE_BUNDLE_OUTFILE } from '../../local-stage/bundles.ts';
import { startServiceProcess } from '../../local-stage/service-process.ts';
import type { ManagedChild } from '../../local-stage/child-process.ts';

// App Runner sends SIGTERM on scale-in and redeploys: a request already in flight must still get its answer.
const QUERY_DELAY_MS = 400;

describe('service process stop', () => {
  let slowDynamo: Server;
  let service: { url: string; process: ManagedChild } | undefined;

  before(async () => {
    await buildBundles([SERVICE_BUNDLE_OUTFILE]);
    // A DynamoDB endpoint that answers every Query with an empty page, slowly.
    slowDynamo = createServer((req, res) => {
      req.resume();
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ Items: [], Count: 0, ScannedCount: 0 }));
      }, QUERY_DELAY_MS);
    });
    await new Promise<void>((resolve) => slowDynamo.listen(0, '127.0.0.1', resolve));
    const { port } = slowDynamo.address() as AddressInfo;
    service = await startServiceProcess({ tableName: 'turkeys', dynamodbEndpoint: `http://127.0.0.1:${port}` });
  });

  after(async () => {
    await service?.process.stop();
    slowDynamo.closeAllConnections();
    await new Promise((resolve) => slowDynamo.close(resolve));
  });

  it('SIGTERM lets a request in flight finish, then the process exits 0', async () => {
    const child = service!.process.child;
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const pending = request(`${service!.url}/turkeys/Auburn`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, QUERY_DELAY_MS / 4));
    child.kill('SIGTERM');
    const response = await pending;
    assert.equal(response.statusCode, 200);
    assert.deepEqual(await response.body.json(), { breed: 'Auburn', count: 0, turkeys: [] });
    const [code, signal] = await exited;
    assert.deepEqual([code, signal], [0, null]);
  });
});
