import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { decodeHistogram } from '../../runner/engine/histogram.ts';
import { SCHEMA_VERSION, type RunSummary } from '../../runner/results/schema.ts';
import { runCli } from './run-cli.ts';

/** `node runner --scenario test1,test2` against the real local stage (started and stopped by the runner). */
describe('node runner against the local stage: test1 and test2', () => {
  let dir: string;
  let result: Awaited<ReturnType<typeof runCli>>;
  let summary: RunSummary;
  let runPath: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'runner-local-'));
    result = await runCli(['--scenario', 'test1,test2', '--results-dir', dir], 280_000);
    const runs = await readdir(path.join(dir, 'local'));
    assert.equal(runs.length, 1);
    runPath = path.join(dir, 'local', runs[0]!);
    summary = JSON.parse(await readFile(path.join(runPath, 'summary.json'), 'utf8')) as RunSummary;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('exits 0 and prints one table per tier, labelled local', () => {
    assert.equal(result.code, 0, result.stderr.slice(-2000));
    assert.equal(result.stdout.match(/\(stage local: local figures, not AWS\)/g)?.length, 2);
    assert.match(result.stdout, /^test1 .*100 requests, concurrency 1$/m);
    assert.match(result.stdout, /^test2 .*500 requests, concurrency 10$/m);
  });

  it('writes a complete summary.json with provenance and the local backend configuration', () => {
    assert.match(path.basename(runPath), /^\d{8}T\d{6}Z-test1\+test2$/);
    assert.equal(summary.schemaVersion, SCHEMA_VERSION);
    assert.equal(summary.stage, 'local');
    assert.equal(summary.complete, true);
    assert.equal(summary.settings.mode, 'closed');
    assert.deepEqual(summary.settings.tiers.map((t) => t.name), ['test1', 'test2']);
    assert.match(summary.provenance.gitCommit ?? '', /^[0-9a-f]{40}$/);
    assert.equal(summary.provenance.node, process.version);
    assert.ok(summary.provenance.cpus.count >= 1 && summary.provenance.memoryBytes > 0);
    assert.equal(summary.backend.config?.['stage'], 'local');
    assert.ok(!JSON.stringify(summary).includes('127.0.0.1'), 'no machine-local endpoints in the results');
  });

  it('has every target and tier, all answered with 200, with statistics that agree with the stored histogram', () => {
    assert.deepEqual(
      summary.results.map((r) => `${r.tier}/${r.target}`),
      ['test1/direct', 'test1/sfn', 'test1/lambda', 'test1/apprunner', 'test2/direct', 'test2/sfn', 'test2/lambda', 'test2/apprunner'],
    );
    for (const r of summary.results) {
      const n = r.tier === 'test1' ? 100 : 500;
      assert.equal(r.requests, n);
      assert.equal(r.concurrency, r.tier === 'test1' ? 1 : 10);
      assert.deepEqual(r.statusCounts, { '200': n }, `${r.tier}/${r.target}`);
      assert.equal(r.successRate, 1);
      assert.equal(r.failed, false);
      const l = r.latency!;
      assert.ok(l.fastestMs <= l.p50Ms && l.p50Ms <= l.p90Ms && l.p90Ms <= l.p99Ms && l.p99Ms <= l.p999Ms && l.p999Ms <= l.maxMs);
      assert.ok(r.throughputRps > 0 && r.bytesReceived > n * 1000);
      const h = decodeHistogram(r.histogram.data);
      assert.equal(h.totalCount, n);
      assert.equal(Math.round(h.getValueAtPercentile(50)) / 1000, l.p50Ms);
      assert.ok(Date.parse(r.endedAt) >= Date.parse(r.startedAt));
    }
  });

  it('writes summary.csv with a header and one row per target and tier', async () => {
    const text = await readFile(path.join(runPath, 'summary.csv'), 'utf8');
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 8);
    assert.ok(rows.every((r) => r['stage'] === 'local' && r['scenario'] === 'test1,test2' && r['success_rate'] === '1'));
    assert.deepEqual(rows.map((r) => r['status_200']), ['100', '100', '100', '100', '500', '500', '500', '500']);
    assert.equal(rows[4]!['p99_ms'], String(summary.results[4]!.latency!.p99Ms));
  });
});
