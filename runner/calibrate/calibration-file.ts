/**
 * Where a calibration is kept and how a run finds the last one of its machine.
 *
 * A calibration describes one machine, not a stage, so it is not under results/<stage>/: it is
 * written to `.sst/calibration/<machine-id>.json` at the repo root (gitignored, like the AWS outputs
 * file: it is a fact about the machine at hand). Every run copies the summary of its machine's last
 * calibration into `summary.json` provenance (`provenance.calibration`), so a committed run carries
 * it. The machine id is a hash of the hardware description and host name (the host name itself is
 * never stored).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../lib/errors.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';

export const CALIBRATION_DIR = '.sst/calibration';

export interface MachineDescription {
  /** 12 hex digits of sha256(host name, CPU model and count, memory, platform, arch). */
  machineId: string;
  cpus: { count: number; model: string };
  memoryBytes: number;
  platform: string;
  arch: string;
  node: string;
}

export function describeMachine(): MachineDescription {
  const cpus = os.cpus();
  const count = os.availableParallelism?.() ?? cpus.length;
  const model = cpus[0]?.model.trim() ?? 'unknown';
  const memoryBytes = os.totalmem();
  const machineId = createHash('sha256')
    .update([os.hostname(), model, count, memoryBytes, process.platform, process.arch].join('\n'))
    .digest('hex')
    .slice(0, 12);
  return { machineId, cpus: { count, model }, memoryBytes, platform: process.platform, arch: process.arch, node: process.version };
}

/** One worker count's answer. */
export interface WorkerCapacity {
  workers: number;
  /** Highest concurrency whose p50 stayed within tolerance with every request ok; 0 when none did. */
  maxConcurrency: number;
  /** Throughput at that concurrency (req/s); the highest of the passing probes is `bestThroughputRps`. */
  throughputRps: number;
  bestThroughputRps: number;
  p50Ms: number | null;
  /** What ended the search: the ceiling, the p50 limit, or the probe/time budget. */
  limitedBy: 'max-concurrency' | 'p50' | 'probes' | 'time' | 'unsupported';
  /** Lowest concurrency that failed, and why. */
  firstFailure: { concurrency: number; reason: string } | null;
  probes: { concurrency: number; requests: number; p50Ms: number; p99Ms: number; throughputRps: number; ok: number; pass: boolean }[];
}

export interface Calibration {
  kind: 'calibration';
  version: 1;
  machine: MachineDescription;
  createdAt: string;
  runnerCommit: string | null;
  /** `os.loadavg()` before and after: the machine's other work, which calibration cannot see. */
  loadAverage: { before: number[]; after: number[] };
  server: { delayMs: number; bodyBytes: number; baselineP50Ms: number; baselineRequests: number };
  tolerance: number;
  /** The engine that drove the load (`runLoad` in one thread, or worker threads). */
  engine: string;
  results: WorkerCapacity[];
  recommendation: { workers: number; maxConcurrency: number; text: string };
}

/** What a run records of its machine's last calibration (`provenance.calibration` in summary.json). */
export interface CalibrationRef {
  machineId: string;
  createdAt: string;
  server: { delayMs: number; bodyBytes: number; baselineP50Ms: number };
  tolerance: number;
  perWorkers: { workers: number; maxConcurrency: number; throughputRps: number; limitedBy: WorkerCapacity['limitedBy'] }[];
  recommendation: { workers: number; maxConcurrency: number };
}

export function calibrationPath(machineId: string, root: string = REPO_ROOT): string {
  return join(root, CALIBRATION_DIR, `${machineId}.json`);
}

export function writeCalibration(file: string, calibration: Calibration): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(calibration, null, 2)}\n`);
  renameSync(tmp, file);
}

export function calibrationRef(c: Calibration): CalibrationRef {
  return {
    machineId: c.machine.machineId,
    createdAt: c.createdAt,
    server: { delayMs: c.server.delayMs, bodyBytes: c.server.bodyBytes, baselineP50Ms: c.server.baselineP50Ms },
    tolerance: c.tolerance,
    perWorkers: c.results.map((r) => ({ workers: r.workers, maxConcurrency: r.maxConcurrency, throughputRps: r.throughputRps, limitedBy: r.limitedBy })),
    recommendation: { workers: c.recommendation.workers, maxConcurrency: c.recommendation.maxConcurrency },
  };
}

/**
 * The last calibration of this machine, as a run records it; undefined when the machine was never
 * calibrated. A file that exists but cannot be read is an error that says what to do.
 */
export function lastCalibrationRef(root: string = REPO_ROOT, machine: MachineDescription = describeMachine()): CalibrationRef | undefined {
  const file = calibrationPath(machine.machineId, root);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read the calibration ${file}: ${(err as Error).message}. Delete it or run \`node runner calibrate\` again.`, { cause: err });
  }
  let parsed: Calibration;
  try {
    parsed = JSON.parse(text) as Calibration;
  } catch (err) {
    throw new ConfigError(`The calibration ${file} is not valid JSON (${(err as Error).message}). Delete it or run \`node runner calibrate\` again.`, { cause: err });
  }
  if (parsed.kind !== 'calibration' || parsed.version !== 1 || parsed.machine?.machineId !== machine.machineId || !Array.isArray(parsed.results)) {
    throw new ConfigError(`${file} is not a version 1 calibration of this machine. Delete it or run \`node runner calibrate\` again.`);
  }
  return calibrationRef(parsed);
}
