import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { targetUrls } from '../../lib/stage/outputs.ts';
import { TARGETS } from '../../lib/stage/targets.ts';
import { BREEDS } from '../../lib/turkeys/breeds.ts';
import { startLocalStage, type LocalStage } from '../../local-stage/index.ts';
import { checkParity, parityCases, PROBES, runProbes } from '../../runner/parity.ts';

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

  it('covers every breed, an unknown breed, spaces and non-ASCII, + and %, 64/65/300 characters; what the stack does not control is a probe', () => {
    const labels = parityCases().map((c) => c.label);
    for (const breed of BREEDS) assert.ok(labels.includes(breed), breed);
    for (const label of ['unknown breed', 'spaces and non-ASCII letters', 'plus and percent signs', '64 characters (the longest allowed)', '65 characters', '300 characters']) {
      assert.ok(labels.includes(label), label);
    }
    // AWS answers these outside the stack's control (or unrecorded): probes, never parity cases.
    for (const label of ['malformed percent-encoding', 'reserved URL characters (%2F, %3F, %23 in {breed})', 'path parameter decoded by API Gateway?']) {
      assert.ok(!labels.includes(label), `${label} is not a parity case`);
      assert.ok(PROBES.some((p) => p.label === label), `${label} is a probe`);
    }
    const overlong = parityCases().find((c) => c.label === '300 characters')!;
    assert.equal(overlong.expectedStatus, 400);
  });

  it('every case: same status and body on all four, and the expected answer', async () => {
    const report = await checkParity(targetUrls(stage.outputs), TARGETS);
    assert.equal(report.cases, BREEDS.length + 7);
    assert.deepEqual(report.failures, []);
  });

  it('every probe: the local stage answers what docs/aws-fidelity.md expects', async () => {
    const results = await runProbes(targetUrls(stage.outputs), TARGETS);
    assert.equal(results.length, PROBES.length);
    for (const result of results) {
      for (const answer of result.answers) assert.equal(answer.outcome, answer.expected, `${result.label} on ${answer.target}`);
    }
  });
});
