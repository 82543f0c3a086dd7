import type { Histogram } from 'hdr-histogram-js';
import { HISTOGRAM_SETTINGS, newLatencyHistogram } from './histogram.ts';

/** Client-side failures, by kind: no HTTP status was received for these requests. */
export const CLIENT_ERROR_KINDS = ['timeout', 'refused', 'reset', 'other'] as const;
export type ClientErrorKind = (typeof CLIENT_ERROR_KINDS)[number];

const MAX_US = HISTOGRAM_SETTINGS.highestTrackableValue;

/**
 * Per-request bookkeeping for one target and tier (the runner's hot path, see bench/hotpath.ts).
 * Every response with an HTTP status, whatever the status, has its latency recorded; client errors
 * (timeouts, refused, resets) have no latency and are counted by kind.
 */
export class Tally {
  readonly histogram: Histogram = newLatencyHistogram();
  /** Count per HTTP status code (index = status). */
  readonly statusCounts = new Uint32Array(600);
  readonly errors: Record<ClientErrorKind, number> = { timeout: 0, refused: 0, reset: 0, other: 0 };
  /** The first message seen per error kind, to say why a target failed. */
  readonly errorSamples: Partial<Record<ClientErrorKind, string>> = {};
  completed = 0;
  ok = 0;
  bytes = 0;
  /** Latencies above the histogram's 60 s ceiling, recorded as 60 s. */
  clamped = 0;

  recordResponse(status: number, latencyMs: number, bytes: number): void {
    let us = Math.round(latencyMs * 1000);
    if (us < 1) us = 1;
    else if (us > MAX_US) {
      us = MAX_US;
      this.clamped++;
    }
    this.histogram.recordValue(us);
    this.statusCounts[status < 600 && status >= 0 ? status : 0]!++;
    if (status >= 200 && status < 300) this.ok++;
    this.bytes += bytes;
    this.completed++;
  }

  recordError(kind: ClientErrorKind, message: string): void {
    this.errors[kind]++;
    if (this.errorSamples[kind] === undefined) this.errorSamples[kind] = message;
    this.completed++;
  }

  get errorCount(): number {
    return this.errors.timeout + this.errors.refused + this.errors.reset + this.errors.other;
  }

  statusCountRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    this.statusCounts.forEach((count, status) => {
      if (count > 0) out[String(status)] = count;
    });
    return out;
  }
}

/** Maps an undici / socket error to a kind. */
export function classifyError(err: unknown): ClientErrorKind {
  const code = (err as { code?: unknown } | null)?.code;
  const name = (err as { name?: unknown } | null)?.name;
  switch (code) {
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'reset';
    default:
      return name === 'TimeoutError' ? 'timeout' : 'other';
  }
}
