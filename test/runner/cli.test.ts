import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { startBodyServer, type BodyServer } from '../../bench/body-server.ts';
import type { RunSummary } from '../../runner/results/schema.ts';
import { runCli, startCli } from './run-cli.ts';

/**
 * The CLI end to end against fake backends (`--stage aws` with an outputs file pointing at local
 * servers): bad inputs, a failing target, Ctrl-C. The local stage itself: integration.test.ts.
 */
let dir: string;
let ok: BodyServer;
let slow: BodyServer;
let failing: BodyServer;
let deadUrl: string;

const outputs = (urls: Partial<Record<'directUrl' | 'sfnUrl' | 'lambdaUrl' | 'apprunnerUrl', string>>, extra: Record<string, unknown> = {}) => ({
  'api-backends': { tableName: 'turkeys', region: 'eu-west-1', config: { lambdaMemoryMb: 128, lambdaArchitecture: 'arm64' }, ...urls, ...extra },
});
const writeOutputs = async (name: string, content: unknown) => {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const oneLine = (stderr: string, pattern: RegExp) => {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0]!, pattern);
};
const runDirs = async (resultsDir: string) => (await readdir(path.join(resultsDir, 'aws'))).map((d) => path.join(resultsDir, 'aws', d));

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'runner-cli-'));
  ok = await startBodyServer();
  slow = await startBodyServer({ delayMs: 40 });
  failing = await startBodyServer({ status: 503, body: '{"error":{"code":"DOWN","message":"down"}}' });
  const dead = await startBodyServer();
  deadUrl = dead.url;
  await dead.close();
});
after(async () => {
  await Promise.all([ok.close(), slow.close(), failing.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('node runner: bad input exits non-zero with a one-line reason', () => {
  it('unknown scenario: exit 2, lists the valid ones', async () => {
    const r = await runCli(['--scenario', 'test6']);
    assert.equal(r.code, 2);
    oneLine(r.stderr, /^runner: Unknown scenario "test6"; valid scenarios: test1, test2, test3, test4, test5, all, fanout, fanout-quick\./);
  });
  it('bad flag value: exit 2', async () => {
    const r = await runCli(['--timeout', 'soon']);
    assert.equal(r.code, 2);
    oneLine(r.stderr, /--timeout/);
  });
  it('unreadable outputs file: exit 1', async () => {
    const r = await runCli(['--stage', 'aws', '--outputs', path.join(dir, 'missing.json')]);
    assert.equal(r.code, 1);
    oneLine(r.stderr, /^runner: Cannot read outputs file .*missing\.json: ENOENT\.$/);
    const bad = await writeOutputs('bad.json', '{ not json');
    const r2 = await runCli(['--stage', 'aws', '--outputs', bad]);
    assert.equal(r2.code, 1);
    oneLine(r2.stderr, /is not valid JSON/);
  });
  it('an outputs file lacking a needed endpoint: exit 1, names the key', async () => {
    const file = await writeOutputs('partial.json', outputs({ directUrl: ok.url, sfnUrl: ok.url, lambdaUrl: ok.url }));
    const r = await runCli(['--stage', 'aws', '--outputs', file, '--scenario', 'test1']);
    assert.equal(r.code, 1);
    oneLine(r.stderr, /lacks output "api-backends\.apprunnerUrl"/);
  });
  it('unreachable stage: exit 1, no results written', async () => {
    const file = await writeOutputs('dead.json', outputs({ directUrl: deadUrl, sfnUrl: deadUrl, lambdaUrl: deadUrl, apprunnerUrl: deadUrl }));
    const resultsDir = path.join(dir, 'dead-results');
    const r = await runCli(['--stage', 'aws', '--outputs', file, '--scenario', 'test1', '--results-dir', resultsDir]);
    assert.equal(r.code, 1);
    oneLine(r.stderr, /^runner: Stage aws is unreachable: direct http:\/\/127\.0\.0\.1:\d+: refused/);
    await assert.rejects(readdir(resultsDir), { code: 'ENOENT' });
  });
  it('diff of a missing run: exit 1', async () => {
    const r = await runCli(['diff', path.join(dir, 'nope'), path.join(dir, 'nope2')]);
    assert.equal(r.code, 1);
    oneLine(r.stderr, /Cannot read run/);
  });
});

describe('node runner against fake backends', () => {
  it('a target failing every request is reported as failed; the others still run; the files say so', async () => {
    const file = await writeOutputs('mixed.json', outputs({ directUrl: `${ok.url}/prod`, sfnUrl: failing.url, lambdaUrl: deadUrl, apprunnerUrl: ok.url }));
    const resultsDir = path.join(dir, 'mixed');
    const r = await runCli(['--stage', 'aws', '--outputs', file, '--scenario', 'test1', '--results-dir', resultsDir, '--timeout', '2000']);
    assert.equal(r.code, 0, r.stderr);
    const [run] = await runDirs(resultsDir);
    assert.match(path.basename(run!), /^\d{8}T\d{6}Z-test1$/);
    const summary = JSON.parse(await readFile(path.join(run!, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.complete, true);
    assert.deepEqual(summary.backend.config, { lambdaMemoryMb: 128, lambdaArchitecture: 'arm64' });
    const by = Object.fromEntries(summary.results.map((x) => [x.target, x]));
    assert.equal(by.direct!.failed, false);
    assert.equal(by.direct!.ok, 100);
    assert.equal(by.sfn!.failed, true);
    assert.deepEqual(by.sfn!.statusCounts, { '503': 100 });
    assert.match(by.sfn!.failureReason!, /100 x HTTP 503/);
    assert.equal(by.lambda!.failed, true);
    assert.equal(by.lambda!.clientErrors.refused, 100);
    assert.equal(by.lambda!.latency, null);
    assert.equal(by.apprunner!.ok, 100);
    assert.match(r.stdout, /sfn \(FAILED\)/);
    assert.match(r.stdout, /lambda failed: no 2xx response: 100 x refused/);
    const csv = parse(await readFile(path.join(run!, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.deepEqual(csv.map((row) => [row['target'], row['failed'], row['status_503'], row['errors_refused']]), [
      ['direct', 'false', '0', '0'],
      ['sfn', 'true', '100', '0'],
      ['lambda', 'true', '0', '100'],
      ['apprunner', 'false', '0', '0'],
    ]);
  });

  it('Ctrl-C keeps the finished tiers, marks the run incomplete and exits 130', async () => {
    const file = await writeOutputs('slow.json', outputs({ directUrl: slow.url, sfnUrl: slow.url, lambdaUrl: slow.url, apprunnerUrl: slow.url }));
    const resultsDir = path.join(dir, 'interrupted');
    const cli = startCli(['--stage', 'aws', '--outputs', file, '--scenario', 'test2,test1', '--targets', 'direct,sfn', '--results-dir', resultsDir]);
    // test2 (500 @ 10, 40 ms each) takes ~2 s per target; interrupt once the first target is written.
    const deadline = Date.now() + 30_000;
    let written = 0;
    while (written < 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      try {
        const [run] = await runDirs(resultsDir);
        written = (JSON.parse(await readFile(path.join(run!, 'summary.json'), 'utf8')) as RunSummary).results.length;
      } catch {
        // not written yet
      }
    }
    cli.child.kill('SIGINT');
    const r = await cli.done;
    assert.equal(r.code, 130, r.stderr);
    const [run] = await runDirs(resultsDir);
    const summary = JSON.parse(await readFile(path.join(run!, 'summary.json'), 'utf8')) as RunSummary;
    assert.equal(summary.complete, false);
    assert.equal(summary.interrupted, true);
    assert.ok(summary.endedAt);
    assert.deepEqual(summary.results.map((x) => [x.tier, x.target]), [['test2', 'direct']]);
    assert.equal(summary.results[0]!.ok, 500);
    assert.match(r.stderr, /run interrupted; finished tiers kept/);
  });
});
