import path from 'node:path';
import type { DiffReport } from '../diff/compare.ts';
import { atomicWrite } from '../results/writer.ts';
import { apiRunPage } from './api-run.ts';
import { diffPage } from './diff-page.ts';
import { fanoutRunPage } from './fanout-run.ts';
import { ConfigError } from '../../lib/errors.ts';
import { historyPage, loadHistory } from './history.ts';
import { renderPage } from './html.ts';
import { loadRun } from './load.ts';

async function writePage(file: string, content: string): Promise<void> {
  try {
    await atomicWrite(file, content);
  } catch (err) {
    throw new ConfigError(`Cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`, { cause: err });
  }
}

/** `node runner report <run>`: reads the run folder's files and writes report.html into it. Returns the path. */
export async function writeRunReport(runPath: string): Promise<string> {
  const run = await loadRun(runPath);
  const page = run.kind === 'api-load' ? apiRunPage(run.summary) : fanoutRunPage(run.summary, run.deliveries);
  const file = path.join(run.dir, 'report.html');
  await writePage(file, renderPage(page));
  return file;
}

/** `node runner report --history <results-dir>/<stage>`: writes history.html into that folder. */
export async function writeHistoryReport(stageDir: string): Promise<{ file: string; runs: number; skipped: { name: string; reason: string }[] }> {
  const history = await loadHistory(stageDir);
  const file = path.join(stageDir, 'history.html');
  await writePage(file, renderPage(historyPage(history)));
  return { file, runs: history.runs.length, skipped: history.skipped };
}

/** The diff as one self-contained HTML page. */
export function diffHtml(report: DiffReport): string {
  return renderPage(diffPage(report));
}

export async function writeDiffReport(report: DiffReport, file: string): Promise<void> {
  await writePage(file, diffHtml(report));
}
