/**
 * The result files of a load run: `<results-dir>/<stage>/<run-id>/summary.json` (this schema) and
 * `summary.csv` (one row per target and tier, see csv.ts). Readers (`node runner diff`, the HTML
 * reports, history) check `schemaVersion` and refuse versions they do not know; they read 1 and 2.
 * Version 2 added to each row: `badBody` (+ kinds, samples, `bodyCheck`), `latencyAll` +
 * `histogramAll`, `coldStarts`, `headerSums` and `client`. Those fields are absent in version-1 files.
 *
 * Units: latencies in milliseconds (ms, 3 decimals), throughput in requests per second over the
 * tier's wall time, times as ISO 8601 UTC strings, histogram values in microseconds.
 */
import type { TargetCost } from '../../lib/cost/target-cost.ts';
import type { Target } from '../../lib/stage/targets.ts';
import type { CalibrationRef } from '../calibrate/calibration-file.ts';
import type { WorkerHealth } from '../engine/health.ts';
import type { BadBodyKind, BadBodySample, ClientErrorKind } from '../engine/tally.ts';

export const SCHEMA_VERSION = 2;
/** The versions readers accept (committed runs are version 1). */
export const READABLE_SCHEMA_VERSIONS: readonly number[] = [1, 2];

export type StageName = 'local' | 'aws';

export interface RunSummary {
  /** SCHEMA_VERSION when written by this runner; 1 in older files. */
  schemaVersion: number;
  /** What produced the file; other kinds (fan-out) use their own schema. */
  kind: 'api-load';
  /** `<yyyymmddThhmmssZ>-<scenario>`; also the folder name. */
  runId: string;
  stage: StageName;
  /** False while the run is in progress and when it was interrupted or crashed: only finished tiers are in `results`. */
  complete: boolean;
  /** Set when the run was stopped (Ctrl-C / SIGTERM) before its last tier. */
  interrupted: boolean;
  startedAt: string;
  /** Set when the run finished or was interrupted. */
  endedAt: string | null;
  settings: RunSettings;
  provenance: Provenance;
  backend: BackendInfo;
  /** One entry per target and finished tier, in run order. */
  results: TargetTierResult[];
}

export interface RunSettings {
  /** The `--scenario` value (`all`, `test1`, `test1,test2`). */
  scenario: string;
  tiers: { name: string; requests: number; concurrency: number }[];
  targets: Target[];
  /** `closed`: C workers back to back; `open`: constant arrival at `rate` req/s, latency from intended send time. */
  mode: 'closed' | 'open';
  rate: number | null;
  warmupPerTarget: number;
  timeoutMs: number;
  seed: number;
  /** How requests are spread: breeds in a seeded order, identical for every target. */
  requestOrder: string;
  /** Schema 2: `--workers` as given (`auto` or a number); each row's `client.workers` is what ran. */
  workers?: 'auto' | number;
}

export interface Provenance {
  runnerVersion: string;
  gitCommit: string | null;
  /** True when the kit's working tree had uncommitted changes outside results/. */
  gitDirty: boolean | null;
  node: string;
  platform: string;
  arch: string;
  cpus: { count: number; model: string };
  memoryBytes: number;
  /**
   * Optional (absent in older runs, and when this machine was never calibrated): the last
   * `node runner calibrate` of the machine that generated the load, from
   * `.sst/calibration/<machine-id>.json` (runner/calibrate/calibration-file.ts). Per worker count,
   * the highest concurrency (and its throughput) whose p50 stayed within `tolerance` of a delay
   * server's real latency; beyond it the runner's figures include its own queueing.
   */
  calibration?: CalibrationRef;
}

export interface BackendInfo {
  region: string;
  tableName: string;
  /** `config` from the stack outputs (memory size, architecture, instance size, ...), when the stage gives it. */
  config: Record<string, string | number | boolean> | null;
}

export interface LatencyStats {
  fastestMs: number;
  avgMs: number;
  stdevMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface StoredHistogram {
  encoding: 'hdr-compressed-base64';
  unit: 'us';
  lowestDiscernibleValue: number;
  highestTrackableValue: number;
  significantDigits: number;
  /** Count of recorded values (HTTP responses). */
  count: number;
  data: string;
}

export interface TargetTierResult {
  stage: StageName;
  scenario: string;
  tier: string;
  target: Target;
  mode: 'closed' | 'open';
  /** Requests sent (the tier's N; fewer only if interrupted, which is never written). */
  requests: number;
  concurrency: number;
  rate: number | null;
  /** Responses with a 2xx status and (schema 2) a body that passed the check: good answers. */
  ok: number;
  /** ok / requests, 0..1. */
  successRate: number;
  /** Count per HTTP status code, e.g. { "200": 998, "429": 2 }. */
  statusCounts: Record<string, number>;
  /** Requests that got no HTTP status, by kind. */
  clientErrors: Record<ClientErrorKind, number>;
  /** First message per client-error kind seen. */
  clientErrorSamples: Partial<Record<ClientErrorKind, string>>;
  /** True when no request got a 2xx: the target failed this tier. */
  failed: boolean;
  failureReason: string | null;
  /**
   * Latency of every request that got an HTTP response (any status), from send (closed loop) or
   * intended send (open loop) to the end of the body. Null when there was no response at all.
   */
  latency: LatencyStats | null;
  /**
   * Closed loop only: the same, corrected for coordinated omission after the fact
   * (HdrHistogram copyCorrectedForCoordinatedOmission, interval = the median). An estimate of what
   * an open-loop client would have seen; the raw figures above are the measurement.
   */
  latencyCoCorrected: LatencyStats | null;
  /** Completed requests (responses and client errors) / wall time. */
  throughputRps: number;
  bytesReceived: number;
  startedAt: string;
  endedAt: string;
  wallMs: number;
  histogram: StoredHistogram;
  /** Schema 2: 2xx responses whose body was not the expected page (a failure of its own kind, not in `ok`). */
  badBody?: number;
  /** Schema 2: bad bodies by kind (unparseable, wrong_breed, wrong_count, incomplete). */
  badBodyKinds?: Record<BadBodyKind, number>;
  /** Schema 2: the first few bad bodies (path and what was wrong). */
  badBodySamples?: BadBodySample[];
  /** Schema 2: how bodies were checked (see runner/engine/response-check.ts and docs/runner.md). */
  bodyCheck?: BodyCheckInfo;
  /**
   * Schema 2: latency of EVERY request: responses as in `latency`, and requests without an answer
   * (timeouts, resets, refused) recorded at the time they were given up. Null when none completed.
   */
  latencyAll?: LatencyStats | null;
  /** Schema 2: the HDR histogram behind `latencyAll` (count = requests that completed either way). */
  histogramAll?: StoredHistogram;
  /** Schema 2: `x-sst-cold-start` / `x-sst-instance-id` response headers counted. */
  coldStarts?: ColdStartInfo;
  /** Schema 2: every numeric `x-sst-<name>` response header summed, by `<name>` (e.g. `billed-duration-ms`). */
  headerSums?: Record<string, { sum: number; count: number }>;
  /** Schema 2: the load generator: where it ran, how many workers, and whether it was the limit. */
  client?: ClientInfo;
  /**
   * Optional (cost, lib/cost/): what this target's tier cost at list prices, per million requests
   * and in parts (service, item, quantity, unit, usd, source, estimated), with the basis in one
   * line. On the local stage it is an estimate of what AWS would bill for the same work.
   */
  cost?: TargetCost;
}

export interface BodyCheckInfo {
  /**
   * `all`: every 2xx body checked for breed and count (from its first bytes) and one in
   * `fullParseEvery` parsed whole; `sampled`: only a sample checked; `none`: not checked.
   */
  mode: 'all' | 'sampled' | 'none';
  /** What the expected page is ("breed and count from the seeded data set, lib/turkeys"). */
  expected: string;
  fullParseEvery: number | null;
  /** 2xx bodies checked, and of them parsed whole. */
  checked: number;
  fullyParsed: number;
}

export interface ColdStartInfo {
  /** Responses with `x-sst-cold-start: 1` (the first request of an instance). */
  cold: number;
  /** Responses with `x-sst-cold-start: 0`. */
  warm: number;
  /** Responses without the header (the backend does not send it). */
  unknown: number;
  /** Distinct `x-sst-instance-id` values seen. */
  instances: number;
  coldLatency: LatencyStats | null;
  warmLatency: LatencyStats | null;
}

export interface ClientInfo {
  /** Worker threads (local) or Lambda load workers that sent the load. */
  workers: number;
  /** `local`: this machine; `lambda`: Lambda load workers (then region and memory). */
  loadFrom: 'local' | 'lambda';
  region?: string;
  memoryMb?: number;
  /** True when the load generator, not the target, was the limit (runner/engine/guard.ts): figures are inflated. */
  clientBound: boolean;
  clientBoundReason: string | null;
  /** Per worker: event-loop utilization and delay, CPU, start lag. */
  health: WorkerHealth[];
}
