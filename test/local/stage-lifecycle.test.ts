import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import type { ApiBackendsOutputs } from '../../lib/stage/outputs.ts';
import { spawnLocalStage } from '../../local-stage/spawn.ts';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

function portAccepts(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

const endpointsOf = (outputs: ApiBackendsOutputs) => [outputs.directUrl, outputs.apprunnerUrl, outputs.dynamodbEndpoint!];

describe('local stage lifecycle', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'sst-stage-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('starts as its own process, serves, and stops with no process or port left behind', async () => {
    const stage = await spawnLocalStage();
    try {
      assert.ok(stage.pids.length >= 2, 'the stage process and the service process');
      for (const pid of stage.pids) assert.ok(isAlive(pid), `pid ${pid} alive while up`);
      const health = await request(`${stage.outputs.apprunnerUrl}/health`);
      assert.equal(health.statusCode, 200);
      await health.body.dump();
    } finally {
      await stage.stop();
    }
    for (const pid of stage.pids) assert.equal(isAlive(pid), false, `pid ${pid} gone after stop`);
    for (const url of endpointsOf(stage.outputs)) assert.equal(await portAccepts(url), false, `${url} closed after stop`);
  });

  it('leaves nothing behind when a test using it fails', async () => {
    const record = join(scratch, 'stage.json');
    const fixture = fileURLToPath(new URL('../fixtures/failing-stage.fixture.ts', import.meta.url));
    // Without NODE_TEST_CONTEXT the fixture runs as a top-level test run (exit code 1 on failure).
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', fixture], {
      env: { ...env, STAGE_RECORD_FILE: record },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.notEqual(run.status, 0, 'the fixture test must fail');
    assert.match(run.stdout, /deliberate failure/);
    const { pids, outputs } = JSON.parse(readFileSync(record, 'utf8')) as { pids: number[]; outputs: ApiBackendsOutputs };
    for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} gone after the failing test`);
    for (const url of endpointsOf(outputs)) assert.equal(await portAccepts(url), false, `${url} closed after the failing test`);
  });
});
