import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startBodyServer, type BodyServer } from '../../bench/body-server.ts';
import { parseCommand, UsageError } from '../../runner/cli/args.ts';
import { runCli } from '../runner/run-cli.ts';
import { writeApiRun, writeFanoutRun } from './fixtures.ts';

/** `node runner report`, `report --history`, `diff --html`, and report.html after a run (unless --no-report). */
let dir: string;
let server: BodyServer;
let runA: string;
let runB: string;
let fanout: string;

const exists = (file: string) => access(file).then(() => true, () => false);
const selfContained = (html: string) => {
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /Chart\.js v4\.6\.1/);
  assert.match(html, /<script type="application\/json" id="report-data">/);
  assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
};

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'report-cli-'));
  server = await startBodyServer();
  runA = (await writeApiRun({ resultsDir: dir, startedAt: new Date(Date.UTC(2026, 3, 1, 8)) })).dir;
  runB = (await writeApiRun({ resultsDir: dir, startedAt: new Date(Date.UTC(2026, 3, 2, 8)), slowdown: 1.5, seed: 20 })).dir;
  fanout = (await writeFanoutRun(dir, new Date(Date.UTC(2026, 3, 3, 8)))).dir;
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('parsing', () => {
  it('report <run>, report --history <dir>, diff --html, --no-report', () => {
    assert.deepEqual(parseCommand(['report', 'results/local/R']), { name: 'report', run: 'results/local/R' });
    assert.deepEqual(parseCommand(['report', '--history', 'results/local']), { name: 'report', history: 'results/local' });
    assert.deepEqual(parseCommand(['diff', 'a', 'b', '--html', 'd.html']), { name: 'diff', runA: 'a', runB: 'b', format: 'text', resamples: 1000, seed: 1, html: 'd.html' });
    assert.equal((parseCommand(['--scenario', 'test1']) as { report: boolean }).report, true);
    assert.equal((parseCommand(['--scenario', 'test1', '--no-report']) as { report: boolean }).report, false);
    assert.throws(() => parseCommand(['report']), (e: unknown) => e instanceof UsageError && /needs a run folder/.test((e as Error).message));
    assert.throws(() => parseCommand(['report', 'x', '--history', 'y']), (e: unknown) => e instanceof UsageError && /not both/.test((e as Error).message));
  });
});

describe('node runner report', () => {
  it('writes report.html into an API run folder and a fan-out run folder', async () => {
    for (const run of [runA, fanout]) {
      const r = await runCli(['report', run]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), path.join(run, 'report.html'));
      selfContained(await readFile(path.join(run, 'report.html'), 'utf8'));
    }
    assert.match(await readFile(path.join(fanout, 'report.html'), 'utf8'), /Fan-out benchmark/);
  });
  it('--history writes history.html with every run', async () => {
    const r = await runCli(['report', '--history', path.join(dir, 'local')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), `${path.join(dir, 'local', 'history.html')} (3 runs)`);
    const html = await readFile(path.join(dir, 'local', 'history.html'), 'utf8');
    selfContained(html);
    for (const run of [runA, runB, fanout]) assert.ok(html.includes(path.basename(run)), path.basename(run));
  });
  it('bad input: exit 2 without a run, exit 1 with a one-line reason for a missing run', async () => {
    const none = await runCli(['report']);
    assert.equal(none.code, 2);
    assert.match(none.stderr.trim(), /^runner: report needs a run folder .*\(see --help\)$/);
    const missing = await runCli(['report', path.join(dir, 'nope')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /^runner: Cannot read run .*nope: ENOENT\.$/m);
  });
});

describe('node runner diff --html', () => {
  it('prints the text comparison and writes the same comparison as a chart page', async () => {
    const out = path.join(dir, 'diff.html');
    const r = await runCli(['diff', runA, runB, '--html', out, '--resamples', '200']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^A: local\//);
    assert.match(r.stderr, /html: .*diff\.html/);
    const html = await readFile(out, 'utf8');
    selfContained(html);
    assert.match(html, /Run comparison/);
    const viaFormat = await runCli(['diff', runA, runB, '--format', 'html', '--resamples', '200']);
    assert.equal(viaFormat.code, 0);
    assert.equal(viaFormat.stdout.trim(), html.trim());
  });
  it('an unwritable --html path: exit 1, one line', async () => {
    const r = await runCli(['diff', runA, runB, '--html', path.join(dir, 'no', 'such', 'dir', 'd.html'), '--resamples', '100']);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^runner: Cannot write .*d\.html: ENOENT\.$/);
  });
});

describe('the runner writes report.html at the end of a run', () => {
  const outputs = async () => {
    const file = path.join(dir, 'outputs.json');
    const urls = { directUrl: server.url, sfnUrl: server.url, lambdaUrl: server.url, apprunnerUrl: server.url };
    await writeFile(file, JSON.stringify({ 'api-backends': { tableName: 'turkeys', region: 'eu-west-1', ...urls } }));
    return file;
  };
  it('by default, and not with --no-report', async () => {
    const file = await outputs();
    const withReport = path.join(dir, 'with');
    const r = await runCli(['--scenario', 'test1', '--targets', 'direct,lambda', '--stage', 'aws', '--outputs', file, '--results-dir', withReport], 90_000);
    assert.equal(r.code, 0, r.stderr);
    const [run] = await readdir(path.join(withReport, 'aws'));
    const report = path.join(withReport, 'aws', run!, 'report.html');
    assert.match(r.stderr, new RegExp(`report: ${report.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const html = await readFile(report, 'utf8');
    selfContained(html);
    assert.match(html, /AWS STAGE/);

    const without = path.join(dir, 'without');
    const r2 = await runCli(['--scenario', 'test1', '--targets', 'direct', '--stage', 'aws', '--outputs', file, '--results-dir', without, '--no-report'], 90_000);
    assert.equal(r2.code, 0, r2.stderr);
    const [run2] = await readdir(path.join(without, 'aws'));
    assert.equal(await exists(path.join(without, 'aws', run2!, 'summary.json')), true);
    assert.equal(await exists(path.join(without, 'aws', run2!, 'report.html')), false);
    assert.doesNotMatch(r2.stderr, /report:/);
  });
});
