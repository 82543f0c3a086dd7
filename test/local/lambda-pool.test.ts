import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { seedTurkeys } from '../../lib/turkeys/seed.ts';
import { buildBundles } from '../../scripts/build-bundles.ts';
import { LAMBDA_BUNDLE_OUTFILE } from '../../local-stage/bundles.ts';
import { createTurkeysTable, startLocalDynamo, type LocalDynamo } from '../../local-stage/dynamodb.ts';
import { createLambdaPool } from '../../local-stage/lambda-pool.ts';
import { createTurkeysLambdaPool } from '../../local-stage/lambda-function.ts';
import type { LambdaHandler } from '../../local-stage/apigateway/lambda-proxy.ts';
import { ConfigError } from '../../lib/errors.ts';

const event = (breed: string) => ({ pathParameters: { breed }, path: `/lambda/turkeys/${breed}` }) as unknown as APIGatewayProxyEvent;
const context = {} as Context;

/** A stand-in module: each load is a new "module instance" with its own served-flag, like the bundle. */
function fakeModuleLoader(gate: Promise<void>) {
  let loads = 0;
  const load = async (): Promise<LambdaHandler> => {
    loads++;
    const id = `instance-${loads}`;
    let served = 0;
    return async (_event, ctx) => {
      const cold = served++ === 0;
      await gate;
      return { statusCode: 200, headers: { 'x-sst-instance-id': id, 'x-sst-cold-start': cold ? '1' : '0', 'x-sst-memory-mb': String(ctx.memoryLimitInMB) }, body: '{}' };
    };
  };
  return { load, loads: () => loads };
}

describe('local Lambda host: instance pool', () => {
  it('one request per instance: 10 at once with a limit of 3 make 3 instances, 7 requests wait, idle ones are reused', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const modules = fakeModuleLoader(gate);
    const pool = createLambdaPool({ load: modules.load, limit: 3, memoryMb: 512 });
    const pending = Array.from({ length: 10 }, () => pool.handler(event('a'), context));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(pool.stats().busy, 3);
    open();
    const results = await Promise.all(pending);
    assert.equal(modules.loads(), 3);
    assert.equal(pool.stats().created, 3);
    assert.equal(pool.stats().waited, 7);
    const ids = new Set(results.map((r) => r.headers!['x-sst-instance-id']));
    assert.equal(ids.size, 3);
    assert.equal(results.filter((r) => r.headers!['x-sst-cold-start'] === '1').length, 3);
    // The host reports each instance's INIT once, on its first response, like the REPORT line does.
    assert.equal(results.filter((r) => r.headers!['x-sst-init-ms'] !== undefined).length, 3);
    assert.ok(results.every((r) => r.headers!['x-sst-memory-mb'] === '512'));
    // Sequential requests afterwards find an idle instance: no new cold start.
    for (let i = 0; i < 5; i++) assert.equal((await pool.handler(event('a'), context)).headers!['x-sst-cold-start'], '0');
    assert.equal(pool.stats().created, 3);
  });

  it('a sequential caller needs one instance only', async () => {
    const modules = fakeModuleLoader(Promise.resolve());
    const pool = createLambdaPool({ load: modules.load, limit: 50, memoryMb: 128 });
    for (let i = 0; i < 20; i++) await pool.handler(event('a'), context);
    assert.equal(pool.stats().created, 1);
  });

  it('refuses a limit below 1', () => {
    assert.throws(() => createLambdaPool({ load: fakeModuleLoader(Promise.resolve()).load, limit: 0, memoryMb: 128 }), ConfigError);
  });
});

describe('local Lambda host with the real bundle: a module initialised afresh per instance', () => {
  const TABLE = 'turkeys';
  const turkeys = generateTurkeys(300, 7);
  let dynamo: LocalDynamo;

  before(async () => {
    await buildBundles([LAMBDA_BUNDLE_OUTFILE]);
    dynamo = await startLocalDynamo();
    await createTurkeysTable(dynamo.client, TABLE);
    await seedTurkeys(dynamo.client, TABLE, turkeys);
  });
  after(async () => {
    await dynamo?.close();
  });

  it('5 concurrent requests with a limit of 2: 2 instance ids, 2 cold starts, cost headers on every answer', async () => {
    const pool = createTurkeysLambdaPool({ tableName: TABLE, dynamodbEndpoint: dynamo.endpoint, instanceLimit: 2, memoryMb: 256 });
    const breed = turkeys[0]!.breed;
    const results: APIGatewayProxyResult[] = await Promise.all(Array.from({ length: 5 }, () => pool.handler(event(breed), context)));
    assert.ok(results.every((r) => r.statusCode === 200));
    const headers = results.map((r) => r.headers as Record<string, string>);
    assert.equal(new Set(headers.map((h) => h['x-sst-instance-id'])).size, 2);
    assert.equal(headers.filter((h) => h['x-sst-cold-start'] === '1').length, 2);
    assert.equal(headers.filter((h) => h['x-sst-init-ms'] !== undefined).length, 2);
    for (const h of headers) {
      assert.equal(h['x-sst-memory-mb'], '256');
      assert.ok(Number(h['x-sst-handler-duration-ms']) >= 1);
      // dynalite answers ConsumedCapacity like DynamoDB: summed item size in 4 KB steps, halved (eventually consistent).
      assert.ok(Number(h['x-sst-read-units']) >= 0.5 && Number(h['x-sst-read-units']) % 0.5 === 0, h['x-sst-read-units']);
    }
    const stats = pool.stats();
    assert.equal(stats.created, 2);
    assert.ok(stats.initMs.every((ms) => ms > 0));
  });
});
