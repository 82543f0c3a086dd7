/**
 * The result files of a load run: `<results-dir>/<stage>/<run-id>/summary.json` (this schema) and
 * `summary.csv` (one row per target and tier, see csv.ts). Readers (`node runner diff`, the HTML
 * reports) check `schemaVersion` and refuse versions they do not know.
 *
 * Units: latencies in milliseconds (ms, 3 decimals), throughput in requests per second over the
 * tier's wall time, times as ISO 8601 UTC strings, histogram values in microseconds.
 */
import type { Target } from '../../lib/stage/targets.ts';
import type { ClientErrorKind } from '../engine/tally.ts';

export const SCHEMA_VERSION = 1;

export type StageName = 'local' | 'aws';

export interface RunSummary {
  schemaVersion: typeof SCHEMA_VERSION;
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
  /** Responses with a 2xx status. */
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
}
