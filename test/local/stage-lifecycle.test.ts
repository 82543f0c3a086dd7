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
import { startChild } from '../../local-stage/child-process.ts';
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

  it('stops itself, service process and ports included, when its parent goes away (IPC disconnect)', async () => {
    // What spawnLocalStage starts, by hand, so the test holds the IPC channel and can drop it.
    const managed = await startChild(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../local-stage/main.ts', import.meta.url))], {
      name: 'local-stage',
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      isReady: (line) => line['event'] === 'ready',
      startTimeoutMs: 120_000,
    });
    const pids = [managed.child.pid!, ...((managed.ready['pids'] as number[]) ?? [])];
    const outputs = managed.ready['outputs'] as ApiBackendsOutputs;
    try {
      for (const pid of pids) assert.ok(isAlive(pid), `pid ${pid} alive while up`);
      const exited = new Promise<number | null>((resolve) => managed.child.once('exit', (code) => resolve(code)));
      managed.child.disconnect();
      // Bounded: a stage that ignores the disconnect is SIGKILLed by stop() below and fails here.
      const code = await Promise.race([exited, new Promise<'still running'>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref())]);
      assert.equal(code, 0, 'the stage exits cleanly on its own once the parent is gone');
      for (const pid of pids) assert.equal(isAlive(pid), false, `pid ${pid} gone after the disconnect`);
      for (const url of endpointsOf(outputs)) assert.equal(await portAccepts(url), false, `${url} closed after the disconnect`);
    } finally {
      await managed.stop(5_000);
      for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
    }
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
