import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { DEFAULT_STATE_ID } from '../../lib/fanout/constants.ts';
import { collectProvenance } from '../results/provenance.ts';
import { CLOCK_CAVEATS, CLOCK_CAVEATS_AWS, FANOUT_SCHEMA_VERSION, writeFanoutFiles, type FanoutSummary } from './files.ts';
import { faultOutcomes } from './faults.ts';
import { JOURNAL_FILE, readJournal } from './journal.ts';
import { buildFanoutReport } from './report.ts';

function runnerAlive(host: string, pid: number): boolean {
  if (host !== hostname()) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Rebuilds summary.json, summary.csv and deliveries.csv of a run whose runner died (crash, kill -9,
 * machine off) from its journal.jsonl: every mutation answer, delivery and task window written before
 * it died. The summary says `complete: false` and `recovered: true`. Returns undefined when the folder
 * already has a summary or its runner is still running.
 */
export async function recoverFanoutRun(dir: string): Promise<FanoutSummary | undefined> {
  if (existsSync(path.join(dir, 'summary.json')) || !existsSync(path.join(dir, JOURNAL_FILE))) return undefined;
  const journal = await readJournal(dir);
  if (runnerAlive(journal.start.host, journal.start.pid)) return undefined;
  const report = buildFanoutReport({ mutations: journal.mutations, deliveries: journal.deliveries, tasks: journal.windows, stateId: DEFAULT_STATE_ID });
  const last = [...journal.mutations.map((m) => m.sentAt), ...journal.deliveries.map((d) => d.appliedAt)].reduce((a, b) => Math.max(a, b), Date.parse(journal.start.startedAt));
  const summary: FanoutSummary = {
    schemaVersion: FANOUT_SCHEMA_VERSION,
    kind: 'fanout',
    runId: journal.start.runId,
    stage: journal.start.stage,
    scenario: journal.start.scenario,
    complete: false,
    recovered: true,
    startedAt: journal.start.startedAt,
    finishedAt: new Date(last).toISOString(),
    settings: journal.start.settings,
    provenance: collectProvenance(),
    clockCaveats: journal.start.stage === 'aws' ? [...CLOCK_CAVEATS.slice(0, 3), ...CLOCK_CAVEATS_AWS] : CLOCK_CAVEATS,
    requirement: { ...report.requirement, held: false, explanation: `run interrupted (the runner died); rebuilt from ${JOURNAL_FILE}: ${report.requirement.explanation}` },
    mutations: report.mutations,
    hops: report.hops,
    totals: report.totals,
    tasks: report.tasks,
    collection: { method: 'journal', note: 'the runner died before the end; the last half second of receipts may be missing, and changes in flight count as missing' },
    ...(journal.faults.length > 0 ? { faults: faultOutcomes(journal.faults, report, journal.windows) } : {}),
  };
  await writeFanoutFiles(dir, summary, report);
  return summary;
}

/** Recovers every run folder under `<resultsDir>/<stage>/` left without a summary by a dead runner. */
export async function recoverInterruptedRuns(stageDir: string, log: (line: string) => void): Promise<string[]> {
  if (!existsSync(stageDir)) return [];
  const recovered: string[] = [];
  for (const entry of await readdir(stageDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(stageDir, entry.name);
    try {
      if ((await recoverFanoutRun(dir)) !== undefined) {
        recovered.push(dir);
        log(`recovered an interrupted fan-out run from its journal (marked incomplete): ${dir}`);
      }
    } catch (error) {
      log(`could not recover ${dir}: ${String(error)}`);
    }
  }
  return recovered;
}
