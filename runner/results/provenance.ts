import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { lastCalibrationRef } from '../calibrate/calibration-file.ts';
import type { Provenance } from './schema.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How a result was made: kit version and commit, Node, machine. Nothing machine-local beyond the hardware. */
export function collectProvenance(): Provenance {
  const cpus = os.cpus();
  const calibration = lastCalibrationRef();
  return {
    runnerVersion: runnerVersion(),
    gitCommit: git(['rev-parse', 'HEAD']),
    gitDirty: gitDirty(),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: { count: os.availableParallelism?.() ?? cpus.length, model: cpus[0]?.model.trim() ?? 'unknown' },
    memoryBytes: os.totalmem(),
    ...(calibration ? { calibration } : {}),
  };
}

/** The kit's git commit, or null outside a checkout. */
export const gitCommit = (): string | null => git(['rev-parse', 'HEAD']);

export function runnerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // No git, or not a checkout (an unpacked release): the commit is recorded as unknown (null).
    return null;
  }
}

function gitDirty(): boolean | null {
  const status = git(['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)results']);
  return status === null ? null : status !== '';
}
