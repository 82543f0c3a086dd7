import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { handleBreedPageRequest } from '../../lib/turkeys/handle-request.ts';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { seedTurkeys } from '../../lib/turkeys/seed.ts';
import { buildBundles } from '../../scripts/build-bundles.ts';
import { API_STAGE_BUNDLES } from '../../local-stage/bundles.ts';
import { createTurkeysTable, startLocalDynamo, type LocalDynamo } from '../../local-stage/dynamodb.ts';
import type { LambdaHandler } from '../../local-stage/apigateway/lambda-proxy.ts';
import { createTurkeysLambdaPool } from '../../local-stage/lambda-function.ts';
import { startServiceProcess } from '../../local-stage/service-process.ts';
import type { ManagedChild } from '../../local-stage/child-process.ts';

// The Lambda bundle and the service bundle against a local DynamoDB through the real SDK: the code
// backends on their own, before the gateway puts them behind one URL scheme.
const TABLE = 'turkeys';
const turkeys = generateTurkeys(1_000, 99);
const someBreed = turkeys[0]!.breed;

/** A proxy event as API Gateway sends it: `pathParameters.breed` percent-encoded as the client sent it. */
function proxyEvent(breed: string, rawParameter = encodeURIComponent(breed)): APIGatewayProxyEvent {
  return {
    resource: '/lambda/turkeys/{breed}',
    path: `/lambda/turkeys/${encodeURIComponent(breed)}`,
    httpMethod: 'GET',
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { breed: rawParameter },
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

describe('code backends against local DynamoDB', () => {
  let dynamo: LocalDynamo;
  let handler: LambdaHandler;
  let service: { url: string; process: ManagedChild };

  before(async () => {
    await buildBundles(API_STAGE_BUNDLES);
    dynamo = await startLocalDynamo();
    await createTurkeysTable(dynamo.client, TABLE);
    assert.equal(await seedTurkeys(dynamo.client, TABLE, turkeys), 1_000);
    handler = createTurkeysLambdaPool({ tableName: TABLE, dynamodbEndpoint: dynamo.endpoint, instanceLimit: 1, memoryMb: 128 }).handler;
    service = await startServiceProcess({ tableName: TABLE, dynamodbEndpoint: dynamo.endpoint });
  });

  after(async () => {
    await service?.process.stop();
    await dynamo?.close();
  });

  it('the Lambda bundle answers a proxy event with the breed page, sorted by name', async () => {
    const result = await handler(proxyEvent(someBreed), {} as Context);
    assert.equal(result.statusCode, 200);
    const body = JSON.parse(result.body);
    const expected = turkeys.filter((t) => t.breed === someBreed);
    assert.equal(body.count, expected.length);
    const names = body.turkeys.map((t: { name: string }) => t.name);
    // DynamoDB orders the GSI sort key by UTF-8 bytes; hex strings of the bytes sort the same way.
    const utf8Hex = (name: string) => Buffer.from(name).toString('hex');
    assert.deepEqual(names, [...names].sort((a: string, b: string) => (utf8Hex(a) < utf8Hex(b) ? -1 : 1)));
    assert.deepEqual(body, (await handleBreedPageRequest(dynamo.client, TABLE, someBreed)).body);
  });

  it('the Lambda bundle decodes pathParameters itself, and is right if API Gateway decoded them already', async () => {
    const spaced = turkeys.find((t) => /[^A-Za-z]/.test(t.breed))!.breed;
    const expected = (await handleBreedPageRequest(dynamo.client, TABLE, spaced)).body;
    assert.ok((expected as { count: number }).count > 0, `the table holds ${spaced}`);
    for (const raw of [encodeURIComponent(spaced), spaced]) {
      const result = await handler(proxyEvent(spaced, raw), {} as Context);
      assert.equal(result.statusCode, 200, raw);
      assert.deepEqual(JSON.parse(result.body), expected, raw);
    }
    // 64 non-ASCII letters are 384 characters encoded: the limit applies to the decoded breed.
    assert.equal((await handler(proxyEvent('é'.repeat(64)), {} as Context)).statusCode, 200);
    const notUtf8 = await handler(proxyEvent('x', '%FF'), {} as Context);
    assert.deepEqual([notUtf8.statusCode, JSON.parse(notUtf8.body).error.code], [400, 'BAD_REQUEST']);
  });

  it('the Lambda bundle answers 400 with a JSON error for an overlong breed', async () => {
    const result = await handler(proxyEvent('x'.repeat(300)), {} as Context);
    assert.equal(result.statusCode, 400);
    assert.equal(JSON.parse(result.body).error.code, 'INVALID_BREED');
  });

  it('the service process answers the same body over HTTP', async () => {
    const response = await request(`${service.url}/turkeys/${encodeURIComponent(someBreed)}`);
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /application\/json/);
    assert.deepEqual(await response.body.json(), (await handleBreedPageRequest(dynamo.client, TABLE, someBreed)).body);
  });

  it("the service decodes {breed} as the gateway routes do: '+' literal, '%XY' once", async () => {
    for (const [path, breed] of [['a+b%20c', 'a+b c'], ['100%2541', '100%41'], [encodeURIComponent('é'.repeat(64)), 'é'.repeat(64)]] as const) {
      const response = await request(`${service.url}/turkeys/${path}`);
      assert.equal(response.statusCode, 200, path);
      assert.equal(((await response.body.json()) as { breed: string }).breed, breed, path);
    }
  });

  it('the service says which process answered, cold on its first /turkeys answer only, and the read units', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const response = await request(`${service.url}/turkeys/${encodeURIComponent(someBreed)}`);
      await response.body.dump();
      answers.push(response.headers);
    }
    assert.equal(new Set(answers.map((h) => h['x-sst-instance-id'])).size, 1);
    // The earlier test's request was this process's first: every answer here is warm.
    assert.deepEqual(answers.map((h) => h['x-sst-cold-start']), ['0', '0', '0']);
    assert.ok(answers.every((h) => Number(h['x-sst-read-units']) > 0));
  });

  it('the service answers 400 for malformed percent-encoding and 404 JSON for unknown routes', async () => {
    const malformed = await request(`${service.url}/turkeys/%E0%A4%A`);
    assert.equal(malformed.statusCode, 400);
    assert.equal(((await malformed.body.json()) as { error: { code: string } }).error.code, 'BAD_REQUEST');
    const unknown = await request(`${service.url}/nope`);
    assert.equal(unknown.statusCode, 404);
    assert.equal(((await unknown.body.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });
});
