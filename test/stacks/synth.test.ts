import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { STACK_NAMES } from '../../stacks/main.ts';
import { timingBudget } from '../timing.ts';

const SYNTH_BUDGET_MS = 10_000;

/** `npm run synth` is `tsx stacks/main.ts`; run the same entry as its own process. */
function synthProcess(outdir: string, extraEnv: Record<string, string> = {}) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'stacks/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, ...extraEnv },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ...result, elapsedMs: performance.now() - started };
}

describe('npm run synth', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'sst-synth-cli-'));
  after(() => rmSync(outdir, { recursive: true, force: true }));

  it(`writes every stack as plain Terraform JSON (time logged; budget ${SYNTH_BUDGET_MS / 1000} s asserted with SST_ASSERT_TIMING=1)`, (t) => {
    const run = synthProcess(outdir);
    assert.equal(run.status, 0, run.stderr);
    timingBudget(t, 'npm run synth', run.elapsedMs, SYNTH_BUDGET_MS);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as { stacks: Record<string, unknown> };
    assert.deepEqual(Object.keys(manifest.stacks).sort(), [...STACK_NAMES].sort());
    for (const name of STACK_NAMES) {
      const plan = JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as Record<string, unknown>;
      assert.ok(plan['resource'] && plan['provider'] && plan['terraform'], name);
    }
    assert.ok(existsSync(join(outdir, 'stacks', 'api-backends', 'assets')), 'the Lambda archive sits next to its plan');
  });

  it('exits non-zero with a plain-English message on a bad setting, writing nothing', () => {
    const bad = mkdtempSync(join(tmpdir(), 'sst-synth-bad-'));
    try {
      const run = synthProcess(bad, { SST_PROCESSOR_KIND: 'kinesis' });
      assert.equal(run.status, 1);
      assert.match(run.stderr, /processorKind must be one of "lambda", "pipe"; got "kinesis" from environment variable SST_PROCESSOR_KIND/);
      assert.equal(existsSync(join(bad, 'manifest.json')), false);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
