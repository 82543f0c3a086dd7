import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findTool, onPath } from '../../scripts/find-tool.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

describe('finding the tools tests need (scripts/find-tool.ts, shared with .ci/run)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sst-tools-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const exe = (name: string, mode = 0o755) => {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, mode);
    return path;
  };

  it('looks on PATH like `command -v`: executables only, first directory first', () => {
    const browser = exe('chromium-browser');
    exe('chromium', 0o644);
    assert.equal(onPath('chromium', dir), undefined, 'not executable');
    assert.equal(onPath('chromium-browser', `/nonexistent:${dir}`), browser);
    assert.deepEqual(findTool('chromium', { PATH: dir }), { found: true, path: browser });
  });

  it('takes the environment variable first, and refuses one that names no executable', () => {
    const named = exe('my-chromium');
    assert.deepEqual(findTool('chromium', { PATH: '', CHROMIUM_PATH: named }), { found: true, path: named });
    const bad = findTool('chromium', { PATH: dir, CHROMIUM_PATH: join(dir, 'nope') });
    assert.equal(bad.found, false);
    assert.match(bad.found ? '' : bad.reason, /CHROMIUM_PATH=.*nope is not an executable file; install it with `apt-get install -y chromium`/);
    const none = findTool('terraform', { PATH: '/nonexistent' });
    assert.match(none.found ? '' : none.reason, /Terraform not found .*TERRAFORM_PATH/);
  });

  it('the CLI .ci/run calls prints the path (exit 0) or the reason (exit 1)', () => {
    const path = exe('chromium');
    const run = (PATH: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'scripts/find-tool.ts', 'chromium'], { cwd: REPO, env: { ...process.env, PATH, CHROMIUM_PATH: '' }, encoding: 'utf8' });
    const found = run(dir);
    assert.deepEqual([found.status, found.stdout.trim()], [0, path]);
    const missing = run('/nonexistent');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /Chromium not found/);
  });

  const fixture = fileURLToPath(new URL('../fixtures/needs-tool.fixture.ts', import.meta.url));
  const runFixture = (ci: boolean) => {
    // Without NODE_TEST_CONTEXT the fixture is a top-level test run with its own exit code.
    const { NODE_TEST_CONTEXT: _, CI: __, CHROMIUM_PATH: ___, ...env } = process.env;
    return spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', fixture], {
      cwd: REPO,
      env: { ...env, PATH: join(dir, 'empty'), ...(ci ? { CI: 'true' } : {}) },
      encoding: 'utf8',
      timeout: 60_000,
    });
  };

  it('a missing tool: each test that needs it is reported skipped, with the reason', () => {
    const run = runFixture(false);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^# skipped 2$/m);
    assert.match(run.stdout, /ok 1 - draws a chart # SKIP needs Chromium: Chromium not found .*apt-get install -y chromium/);
  });

  it('a missing tool under CI=true: each test that needs it fails, with the reason', () => {
    const run = runFixture(true);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^# fail 2$/m);
    assert.match(run.stdout, /^# skipped 0$/m);
    assert.match(run.stdout, /CI=true and this test needs Chromium: Chromium not found/);
  });
});
