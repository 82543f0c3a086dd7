import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { turkeysUrl } from '../../lib/stage/targets.ts';
import { BREEDS } from '../../lib/turkeys/breeds.ts';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { handleBreedPageRequest, INTERNAL_ERROR_BODY } from '../../lib/turkeys/handle-request.ts';
import { seedTurkeys } from '../../lib/turkeys/seed.ts';
import { createTurkeysTable, startLocalDynamo, type LocalDynamo } from '../../local-stage/dynamodb.ts';
import { localAwsEnv } from '../../local-stage/local-aws.ts';
import { startLocalGateway, type GatewayLogEntry, type LocalGateway } from '../../local-stage/apigateway/gateway.ts';
import type { LambdaHandler } from '../../local-stage/apigateway/lambda-proxy.ts';

// The three gateway backends against dynalite through the real SDK, compared with the code path
// (handleBreedPageRequest) on the same table: same status, same parsed body.
const TABLE = 'turkeys-gw';
const SEEDED_BREEDS = ['Auburn', "Merriam's Wild", "Bronzé d'Auvergne", 'Ngā Pārae Bronze'];
const turkeys = generateTurkeys().filter((t) => SEEDED_BREEDS.includes(t.breed));
const CASES = [
  ...SEEDED_BREEDS,
  'Dodo', // unknown
  BREEDS.find((b) => !SEEDED_BREEDS.includes(b))!, // a real breed with no rows in this table
  'x'.repeat(64), // longest valid
  'x'.repeat(65),
  'é'.repeat(300), // overlong, non-ASCII
  'a+b "c" \\ 🦃', // plus stays plus, quotes, backslash, astral
  '100%41 f%g', // a literal '%' (a '%XY' one too): decoded exactly once
  'é'.repeat(64), // 384 characters percent-encoded: the limit applies to the decoded breed
];

/** DynamoDB orders string sort keys by their UTF-8 bytes. */
function byUtf8(a: string, b: string): number {
  const [x, y] = [new TextEncoder().encode(a), new TextEncoder().encode(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

async function get(url: string): Promise<{ status: number; body: unknown; contentType: unknown }> {
  const res = await request(url, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  return { status: res.statusCode, contentType: res.headers['content-type'], body: await res.body.json() };
}

describe('local API Gateway', () => {
  let dynamo: LocalDynamo;
  let gateway: LocalGateway;
  let failing: LocalGateway;
  const events: APIGatewayProxyEvent[] = [];
  const logged: GatewayLogEntry[] = [];

  before(async () => {
    dynamo = await startLocalDynamo();
    await createTurkeysTable(dynamo.client, TABLE);
    assert.equal(await seedTurkeys(dynamo.client, TABLE, turkeys), turkeys.length);
    // The Lambda handler reads its configuration at import, like a cold start.
    Object.assign(process.env, { TABLE_NAME: TABLE }, localAwsEnv({ dynamodb: dynamo.endpoint }));
    const { handler } = await import('../../handlers/turkeys-api.ts');
    const recordingHandler: LambdaHandler = (event, context) => {
      events.push(event);
      return handler(event);
    };
    gateway = await startLocalGateway({ dynamodb: dynamo.client, tableName: TABLE, lambdaHandler: recordingHandler, log: (e) => logged.push(e) });
    // A stage whose table does not exist and whose function throws: every backend fails.
    failing = await startLocalGateway({
      dynamodb: dynamo.client,
      tableName: 'no-such-table',
      lambdaHandler: async () => {
        throw new Error('boom');
      },
      log: (e) => logged.push(e),
    });
  });

  after(async () => {
    await gateway?.close();
    await failing?.close();
    await dynamo?.close();
  });

  it(`has ${turkeys.length} turkeys over ${SEEDED_BREEDS.length} breeds to page through`, () => {
    assert.ok(turkeys.length > 300 && turkeys.length < 600);
  });

  for (const breed of CASES) {
    it(`direct, sfn and lambda answer like handleBreedPageRequest for ${JSON.stringify(breed.length > 20 ? `${breed.slice(0, 20)}… (${breed.length})` : breed)}`, async () => {
      const expected = await handleBreedPageRequest(dynamo.client, TABLE, breed);
      for (const target of ['direct', 'sfn', 'lambda'] as const) {
        const actual = await get(turkeysUrl(gateway.urls[target], breed));
        assert.equal(actual.status, expected.status, `${target} status`);
        assert.deepEqual(actual.body, expected.body, `${target} body`);
        assert.equal(actual.contentType, 'application/json', `${target} content-type`);
      }
    });
  }

  it('pages hold the whole breed in GSI (name) order', async () => {
    const page = (await get(turkeysUrl(gateway.urls.direct, "Merriam's Wild"))).body as { count: number; turkeys: { name: string }[] };
    const names = turkeys.filter((t) => t.breed === "Merriam's Wild").map((t) => t.name);
    assert.equal(page.count, names.length);
    assert.deepEqual(page.turkeys.map((t) => t.name), [...names].sort(byUtf8));
  });

  it('sends the Lambda a REST proxy event: pathParameters and path percent-encoded as sent, request context', async () => {
    events.length = 0;
    await get(`${turkeysUrl(gateway.urls.lambda, "Bronzé d'Auvergne")}?x=1&x=2`);
    const event = events[0]!;
    assert.equal(event.resource, '/lambda/turkeys/{breed}');
    assert.equal(event.path, '/lambda/turkeys/Bronz%C3%A9%20d\'Auvergne');
    assert.deepEqual(event.pathParameters, { breed: "Bronz%C3%A9%20d'Auvergne" });
    assert.equal(event.requestContext.path, event.path);
    assert.deepEqual(event.multiValueQueryStringParameters, { x: ['1', '2'] });
    assert.deepEqual(event.queryStringParameters, { x: '2' });
    assert.equal(event.httpMethod, 'GET');
    assert.equal(event.requestContext.resourcePath, '/lambda/turkeys/{breed}');
    assert.equal(event.requestContext.stage, 'local');
    assert.match(event.requestContext.requestId, /^[0-9a-f-]{36}$/);
    assert.equal(event.isBase64Encoded, false);
    assert.ok(event.headers['host']);
  });

  it("a '+' the client did not encode reaches every route as a literal plus", async () => {
    for (const target of ['direct', 'sfn', 'lambda'] as const) {
      const res = await get(`${gateway.urls[target]}/turkeys/a+b%20c`);
      assert.deepEqual([res.status, (res.body as { breed: string }).breed], [200, 'a+b c'], target);
    }
  });

  it("answers other paths and methods as API Gateway does: 403 Missing Authentication Token, in the stack's DEFAULT_4XX body", async () => {
    const missingToken = { error: { code: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' } };
    for (const path of ['/', '/direct/turkeys', '/direct/turkeys/', '/direct/turkeys/a/b', '/apprunner/turkeys/Auburn']) {
      const res = await get(`${gateway.url}${path}`);
      assert.deepEqual([res.status, res.body, res.contentType], [403, missingToken, 'application/json'], path);
    }
    const post = await request(turkeysUrl(gateway.urls.direct, 'Auburn'), { method: 'POST', body: '{}' });
    assert.deepEqual([post.statusCode, await post.body.json()], [403, missingToken]);
  });

  it('answers 400 JSON for a malformed percent-encoding, on every route', async () => {
    for (const target of ['direct', 'sfn', 'lambda'] as const) {
      const res = await get(`${gateway.urls[target]}/turkeys/%E0%A4%A`);
      assert.deepEqual([res.status, (res.body as { error: { code: string } }).error.code], [400, 'BAD_REQUEST'], target);
    }
  });

  it('a failing backend is a 500 INTERNAL_ERROR (direct, sfn) and a 502 in the DEFAULT_5XX body (lambda)', async () => {
    const direct = await get(turkeysUrl(failing.urls.direct, 'Auburn'));
    assert.deepEqual([direct.status, direct.body], [500, INTERNAL_ERROR_BODY]);
    const sfn = await get(turkeysUrl(failing.urls.sfn, 'Auburn'));
    assert.deepEqual([sfn.status, sfn.body], [500, INTERNAL_ERROR_BODY]);
    const lambda = await get(turkeysUrl(failing.urls.lambda, 'Auburn'));
    assert.deepEqual([lambda.status, lambda.body], [502, { error: { code: 'DEFAULT_5XX', message: 'Internal server error' } }]);
    assert.ok(logged.some((e) => e.error.includes('boom')), 'the thrown error is logged');
  });

  it('an overlong breed is still 400 when the backend fails', async () => {
    for (const target of ['direct', 'sfn'] as const) {
      const res = await get(turkeysUrl(failing.urls[target], 'x'.repeat(300)));
      assert.equal(res.status, 400, target);
    }
  });

  it('close() ends idle keep-alive connections too', async () => {
    const extra = await startLocalGateway({ dynamodb: dynamo.client, tableName: TABLE, lambdaHandler: async () => ({ statusCode: 200, body: '{}' }) });
    const res = await get(turkeysUrl(extra.urls.lambda, 'Auburn')); // undici keeps the socket open
    assert.equal(res.status, 200);
    const started = Date.now();
    await extra.close();
    assert.ok(Date.now() - started < 1_000, 'close did not wait for the keep-alive timeout');
    await assert.rejects(request(turkeysUrl(extra.urls.lambda, 'Auburn')), /ECONNREFUSED|other side closed|SocketError/);
  });
});
