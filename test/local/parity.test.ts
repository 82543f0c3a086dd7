import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { targetUrls } from '../../lib/stage/outputs.ts';
import { TARGETS } from '../../lib/stage/targets.ts';
import { BREEDS } from '../../lib/turkeys/breeds.ts';
import { startLocalStage, type LocalStage } from '../../local-stage/index.ts';
import { checkParity, parityCases } from '../../runner/parity.ts';

// The four backends must be interchangeable: for every breed and every edge case, the same status
// and the same JSON body (compared parsed), on the local stage with the full 10,000-turkey table.
describe('parity of the four backends on the local stage', () => {
  let stage: LocalStage;

  before(async () => {
    stage = await startLocalStage();
  });

  after(async () => {
    await stage?.stop();
  });

  it('covers every breed, an unknown breed, spaces and non-ASCII, 64/65/300 characters and malformed encoding', () => {
    const labels = parityCases().map((c) => c.label);
    for (const breed of BREEDS) assert.ok(labels.includes(breed), breed);
    for (const label of ['unknown breed', 'spaces and non-ASCII letters', '64 characters (the longest allowed)', '65 characters', '300 characters', 'malformed percent-encoding']) {
      assert.ok(labels.includes(label), label);
    }
    const overlong = parityCases().find((c) => c.label === '300 characters')!;
    assert.equal(overlong.expectedStatus, 400);
  });

  it('every case: same status and body on all four, and the expected answer', async () => {
    const report = await checkParity(targetUrls(stage.outputs), TARGETS);
    assert.equal(report.cases, BREEDS.length + 8);
    assert.deepEqual(report.failures, []);
  });
});
