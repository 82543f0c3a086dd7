import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { request } from 'undici';
import { parseApiBackendsOutputs, targetUrls } from '../../lib/stage/outputs.ts';
import { TARGETS, turkeysUrl } from '../../lib/stage/targets.ts';
import { runCli, startCli } from '../runner/run-cli.ts';

/** Resolves with stdout once it holds one complete JSON document. */
function firstJsonDocument(stream: NodeJS.ReadableStream, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no JSON on stdout within ${timeoutMs} ms: ${text}`)), timeoutMs);
    stream.on('data', (chunk: Buffer) => {
      text += chunk;
      try {
        const parsed = JSON.parse(text);
        clearTimeout(timer);
        resolve(parsed);
      } catch {
        // incomplete so far; wait for more output
      }
    });
  });
}

describe('node runner stage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sst-runner-stage-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints outputs in the cdktf outputs shape, serves all four targets, and stops on SIGINT', async () => {
    const run = startCli(['stage'], 120_000);
    try {
      const printed = await firstJsonDocument(run.child.stdout!, 90_000);
      const outputs = parseApiBackendsOutputs(printed, 'node runner stage');
      assert.ok(outputs.dynamodbEndpoint?.startsWith('http://127.0.0.1:'), 'the local DynamoDB endpoint is included');
      assert.equal(outputs.config?.['stage'], 'local');
      const urls = targetUrls(outputs);
      for (const target of TARGETS) {
        const response = await request(turkeysUrl(urls[target], 'Bourbon Red'));
        assert.equal(response.statusCode, 200, target);
        assert.equal(((await response.body.json()) as { count: number }).count > 100, true, target);
      }

      const outputsFile = join(dir, 'outputs.json');
      writeFileSync(outputsFile, JSON.stringify(printed));
      const refused = await runCli(['--scenario', 'test1', '--stage', 'aws', '--outputs', outputsFile, '--results-dir', dir]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /describes the local stage/);
    } finally {
      run.child.kill('SIGINT');
    }
    const { code, stderr } = await run.done;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGINT: stopping the local stage/);
  });
});
