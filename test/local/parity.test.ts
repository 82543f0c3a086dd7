import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { TARGETS, turkeysUrl, type Target } from '../../lib/stage/targets.ts';
import { targetUrls } from '../../lib/stage/outputs.ts';
import { BREEDS } from '../../lib/turkeys/breeds.ts';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { startLocalStage, type LocalStage } from '../../local-stage/index.ts';

// The four backends must be interchangeable: for the same request, the same status and the same
// JSON body (compared parsed), on the local stage with the full 10,000-turkey table.
const expectedCount = new Map<string, number>();
for (const turkey of generateTurkeys()) expectedCount.set(turkey.breed, (expectedCount.get(turkey.breed) ?? 0) + 1);

const EDGE_CASES: { label: string; breed: string; status: number }[] = [
  { label: 'unknown breed', breed: 'Dodo', status: 200 },
  { label: 'spaces and non-ASCII letters', breed: 'Grand Dindon Bleu de Gascogne Ünïcødé', status: 200 },
  { label: 'reserved URL characters', breed: 'a/b?c#d&e=f%g+h', status: 200 },
  { label: 'quotes and backslashes', breed: 'say "gobble" \\ twice', status: 200 },
  { label: '64 characters (the longest allowed)', breed: 'é'.repeat(64), status: 200 },
  { label: '65 characters', breed: 'x'.repeat(65), status: 400 },
  { label: '300 characters', breed: 'Overlong breed name '.repeat(15), status: 400 },
];

describe('parity of the four backends on the local stage', () => {
  let stage: LocalStage;
  let urls: Record<Target, string>;

  before(async () => {
    stage = await startLocalStage();
    urls = targetUrls(stage.outputs);
  });

  after(async () => {
    await stage?.stop();
  });

  /** Every target's answer to GET `urlFor(its base URL)`. */
  async function fetchAll(urlFor: (baseUrl: string) => string): Promise<Record<Target, { status: number; body: unknown }>> {
    const entries = await Promise.all(
      TARGETS.map(async (target) => {
        const response = await request(urlFor(urls[target]), { headersTimeout: 10_000, bodyTimeout: 10_000 });
        const text = await response.body.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          assert.fail(`${target} answered ${response.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`);
        }
        return [target, { status: response.statusCode, body }] as const;
      }),
    );
    return Object.fromEntries(entries) as Record<Target, { status: number; body: unknown }>;
  }
  const byBreed = (breed: string) => (baseUrl: string) => turkeysUrl(baseUrl, breed);

  function assertSame(label: string, answers: Record<Target, { status: number; body: unknown }>) {
    for (const target of TARGETS) {
      assert.equal(answers[target].status, answers.lambda.status, `${label}: ${target} status differs from lambda`);
      assert.deepEqual(answers[target].body, answers.lambda.body, `${label}: ${target} body differs from lambda`);
    }
  }

  it('every breed: same status and body on all four, with the breed\'s turkeys', async () => {
    assert.equal(BREEDS.length, 87);
    for (const breed of BREEDS) {
      const answers = await fetchAll(byBreed(breed));
      assertSame(breed, answers);
      assert.equal(answers.lambda.status, 200, breed);
      const body = answers.lambda.body as { breed: string; count: number; turkeys: unknown[] };
      assert.equal(body.breed, breed);
      assert.equal(body.count, expectedCount.get(breed), `${breed}: count`);
      assert.equal(body.turkeys.length, body.count);
    }
  });

  it('malformed percent-encoding: the same 400 JSON error on all four', async () => {
    const answers = await fetchAll((baseUrl) => `${baseUrl}/turkeys/%E0%A4%A`);
    assertSame('malformed percent-encoding', answers);
    assert.equal(answers.lambda.status, 400);
    assert.equal((answers.lambda.body as { error: { code: string } }).error.code, 'BAD_REQUEST');
  });

  for (const edge of EDGE_CASES) {
    it(`${edge.label}: same status (${edge.status}) and body on all four`, async () => {
      const answers = await fetchAll(byBreed(edge.breed));
      assertSame(edge.label, answers);
      assert.equal(answers.lambda.status, edge.status);
      if (edge.status === 200) assert.deepEqual(answers.lambda.body, { breed: edge.breed, count: 0, turkeys: [] });
      else assert.deepEqual(answers.lambda.body, { error: { code: 'INVALID_BREED', message: 'breed must be 1 to 64 characters long' } });
    });
  }
});
