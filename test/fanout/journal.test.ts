import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { readJournal, RunJournal, JOURNAL_FILE } from '../../runner/fanout/journal.ts';
import { recoverFanoutRun } from '../../runner/fanout/recover.ts';
import { startCli } from '../runner/run-cli.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const deliveryLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('{"t":"delivery"')).length : 0);

describe('fan-out run journal', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sst-fanout-journal-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a runner killed with SIGKILL mid-run leaves its deliveries on disk; the run is rebuilt from them, marked incomplete', async (t) => {
    const run = startCli(['--scenario', 'fanout-quick', '--tasks', '3', '--iterations', '400', '--interval', '50', '--results-dir', dir, '--no-report'], 120_000);
    let journalFile = '';
    await until(
      'deliveries in the journal',
      () => {
        const runs = existsSync(path.join(dir, 'local')) ? readdirSync(path.join(dir, 'local')) : [];
        if (runs.length === 0) return false;
        journalFile = path.join(dir, 'local', runs[0]!, JOURNAL_FILE);
        return deliveryLines(journalFile) >= 90;
      },
      90_000,
    );
    run.child.kill('SIGKILL');
    const { code } = await run.done;
    assert.equal(code, null, 'killed, not finished');
    const killedAt = deliveryLines(journalFile);
    const runDir = path.dirname(journalFile);
    assert.equal(existsSync(path.join(runDir, 'summary.json')), false);

    // The processes the local stage started stop by themselves once their parent is gone.
    const journal = await readJournal(runDir);
    const pids = [...new Set(readFileSync(journalFile, 'utf8').split('\n').filter((l) => l.startsWith('{"t":"pids"')).flatMap((l) => (JSON.parse(l) as { pids: number[] }).pids))];
    assert.ok(pids.length >= 4, `stage pids journaled: ${pids.join(', ')}`);
    try {
      await until('the stage processes to exit', () => pids.every((pid) => !alive(pid)), 30_000);
    } finally {
      for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL');
    }

    assert.ok(journal.deliveries.length >= killedAt - 1, `${journal.deliveries.length} deliveries read back, ${killedAt} seen before the kill`);
    assert.ok(journal.mutations.length > 0);
    assert.equal(journal.ended, false);

    const summary = await recoverFanoutRun(runDir);
    assert.ok(summary);
    assert.equal(summary.complete, false);
    assert.equal(summary.recovered, true);
    assert.equal(summary.requirement.held, false);
    assert.ok(summary.totals.delivered >= Math.min(90, journal.deliveries.length) - 3 * 3, `${summary.totals.delivered} delivered`);
    const rows = parse(readFileSync(path.join(runDir, 'deliveries.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    assert.ok(rows.filter((r) => r['outcome'] === 'applied').length >= summary.totals.delivered - 3);
    assert.equal(await recoverFanoutRun(runDir), undefined, 'recovered once');
    t.diagnostic(`killed after ${killedAt} journaled deliveries; recovered ${summary.totals.delivered} of ${summary.totals.expected} expected`);
  });

  test('a journal whose runner is alive is not recovered; a torn last line is ignored', async () => {
    const runDir = path.join(dir, 'live');
    const journal = await RunJournal.open(runDir, { runId: 'r', stage: 'local', scenario: 'fanout-quick', startedAt: new Date().toISOString(), settings: {} });
    journal.append({ t: 'mutation', m: { version: 1, sentAt: Date.now(), appsyncMs: 5, writtenAt: Date.now(), error: undefined } });
    await journal.close();
    assert.equal(await recoverFanoutRun(runDir), undefined, 'this process wrote it and is alive');
    // As if written by a runner that has since died, and cut short mid-line by the kill.
    const torn = `${readFileSync(path.join(runDir, JOURNAL_FILE), 'utf8')}{"t":"deliv`;
    writeFileSync(path.join(runDir, JOURNAL_FILE), torn.replace(`"pid":${process.pid}`, `"pid":${deadPid()}`));
    const summary = await recoverFanoutRun(runDir);
    assert.equal(summary?.mutations.sent, 1);
  });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}
