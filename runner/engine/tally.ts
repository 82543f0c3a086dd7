import type { Histogram } from 'hdr-histogram-js';
import { decodeHistogram, encodeHistogram, HISTOGRAM_SETTINGS, newLatencyHistogram } from './histogram.ts';

/** Client-side failures, by kind: no HTTP status was received for these requests. */
export const CLIENT_ERROR_KINDS = ['timeout', 'refused', 'reset', 'other'] as const;
export type ClientErrorKind = (typeof CLIENT_ERROR_KINDS)[number];

/**
 * A 2xx whose body is not the expected page (see response-check.ts): `unparseable` (not JSON, or
 * not an object), `wrong_breed`, `wrong_count` (including 0 for a breed that exists),
 * `incomplete` (`turkeys` is not an array of `count` items).
 */
export const BAD_BODY_KINDS = ['unparseable', 'wrong_breed', 'wrong_count', 'incomplete'] as const;
export type BadBodyKind = (typeof BAD_BODY_KINDS)[number];

export interface BadBodySample {
  kind: BadBodyKind;
  path: string;
  detail: string;
}

/** At most this many bad-body samples are kept per tally (merged tallies keep the first ones). */
export const MAX_BAD_BODY_SAMPLES = 5;
/** At most this many distinct `x-sst-instance-id` values are kept (the count goes on beyond). */
export const MAX_INSTANCE_IDS = 20_000;

const MAX_US = HISTOGRAM_SETTINGS.highestTrackableValue;

/** A tally as plain JSON (histograms compressed), for worker threads and Lambda load workers. */
export interface SerializedTally {
  completed: number;
  ok: number;
  bytes: number;
  clamped: number;
  statusCounts: Record<string, number>;
  errors: Record<ClientErrorKind, number>;
  errorSamples: Partial<Record<ClientErrorKind, string>>;
  badBody: number;
  badBodyKinds: Record<BadBodyKind, number>;
  badBodySamples: BadBodySample[];
  /** 2xx bodies checked (breed and count) and, of them, fully parsed. */
  bodyChecked: number;
  bodyFullyParsed: number;
  coldStarts: { cold: number; warm: number; unknown: number; instances: string[]; instanceCount: number };
  headerSums: Record<string, { sum: number; count: number }>;
  /** hdr-compressed-base64, microseconds. */
  histograms: { responses: string; all: string; cold: string; warm: string };
}

/**
 * Per-request bookkeeping for one target and tier (the runner's hot path, see bench/hotpath.ts).
 * - `histogram`: every response with an HTTP status, whatever the status or body;
 * - `histogramAll`: every request, a client error recorded at the time it was given up;
 * - `ok`: 2xx responses whose body passed the check; a 2xx with a bad body is counted in `badBody`;
 * - cold/warm: from the `x-sst-cold-start` header ("1" / "0"), `unknown` when absent;
 * - `headerSums`: every numeric `x-sst-<name>` response header, summed.
 */
export class Tally {
  readonly histogram: Histogram = newLatencyHistogram();
  readonly histogramAll: Histogram = newLatencyHistogram();
  readonly coldHistogram: Histogram = newLatencyHistogram();
  readonly warmHistogram: Histogram = newLatencyHistogram();
  /** Count per HTTP status code (index = status). */
  readonly statusCounts = new Uint32Array(600);
  readonly errors: Record<ClientErrorKind, number> = { timeout: 0, refused: 0, reset: 0, other: 0 };
  /** The first message seen per error kind, to say why a target failed. */
  readonly errorSamples: Partial<Record<ClientErrorKind, string>> = {};
  readonly badBodyKinds: Record<BadBodyKind, number> = { unparseable: 0, wrong_breed: 0, wrong_count: 0, incomplete: 0 };
  readonly badBodySamples: BadBodySample[] = [];
  readonly instances = new Set<string>();
  readonly headerSums = new Map<string, { sum: number; count: number }>();
  completed = 0;
  ok = 0;
  badBody = 0;
  bodyChecked = 0;
  bodyFullyParsed = 0;
  cold = 0;
  warm = 0;
  unknownStart = 0;
  /** Distinct instance ids seen (keeps counting past MAX_INSTANCE_IDS). */
  instanceCount = 0;
  bytes = 0;
  /** Latencies above the histogram's 60 s ceiling, recorded as 60 s. */
  clamped = 0;

  private toUs(latencyMs: number): number {
    let us = Math.round(latencyMs * 1000);
    if (us < 1) us = 1;
    else if (us > MAX_US) {
      us = MAX_US;
      this.clamped++;
    }
    return us;
  }

  /**
   * One response with an HTTP status. `bad` is the body check's verdict for a 2xx (null: good or
   * not checked). Returns the recorded latency in microseconds.
   */
  recordResponse(status: number, latencyMs: number, bytes: number, bad: BadBodySample | null = null): number {
    const us = this.toUs(latencyMs);
    this.histogram.recordValue(us);
    this.histogramAll.recordValue(us);
    this.statusCounts[status < 600 && status >= 0 ? status : 0]!++;
    if (status >= 200 && status < 300) {
      if (bad === null) this.ok++;
      else this.recordBadBody(bad);
    }
    this.bytes += bytes;
    this.completed++;
    return us;
  }

  private recordBadBody(bad: BadBodySample): void {
    this.badBody++;
    this.badBodyKinds[bad.kind]++;
    if (this.badBodySamples.length < MAX_BAD_BODY_SAMPLES) this.badBodySamples.push(bad);
  }

  /** A request given up without an HTTP status, `latencyMs` after it was sent (or due). */
  recordError(kind: ClientErrorKind, message: string, latencyMs?: number): void {
    this.errors[kind]++;
    if (this.errorSamples[kind] === undefined) this.errorSamples[kind] = message;
    if (latencyMs !== undefined) this.histogramAll.recordValue(this.toUs(latencyMs));
    this.completed++;
  }

  /** The `x-sst-cold-start` ("1"/"0"/absent) and `x-sst-instance-id` headers of one response. */
  recordStart(coldStart: string | undefined, instanceId: string | undefined, us: number): void {
    if (coldStart === '1') {
      this.cold++;
      this.coldHistogram.recordValue(us);
    } else if (coldStart === '0') {
      this.warm++;
      this.warmHistogram.recordValue(us);
    } else this.unknownStart++;
    if (instanceId !== undefined) this.addInstance(instanceId);
  }

  private addInstance(id: string): void {
    if (this.instances.has(id)) return;
    this.instanceCount++;
    if (this.instances.size < MAX_INSTANCE_IDS) this.instances.add(id);
  }

  /** A numeric `x-sst-<name>` header (name without the prefix, lower case). */
  addHeaderValue(name: string, value: number): void {
    const entry = this.headerSums.get(name);
    if (entry) {
      entry.sum += value;
      entry.count++;
    } else this.headerSums.set(name, { sum: value, count: 1 });
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

  toJSON(): SerializedTally {
    return {
      completed: this.completed,
      ok: this.ok,
      bytes: this.bytes,
      clamped: this.clamped,
      statusCounts: this.statusCountRecord(),
      errors: { ...this.errors },
      errorSamples: { ...this.errorSamples },
      badBody: this.badBody,
      badBodyKinds: { ...this.badBodyKinds },
      badBodySamples: this.badBodySamples.map((s) => ({ ...s })),
      bodyChecked: this.bodyChecked,
      bodyFullyParsed: this.bodyFullyParsed,
      coldStarts: { cold: this.cold, warm: this.warm, unknown: this.unknownStart, instances: [...this.instances], instanceCount: this.instanceCount },
      headerSums: Object.fromEntries([...this.headerSums].map(([k, v]) => [k, { ...v }])),
      histograms: {
        responses: encodeHistogram(this.histogram),
        all: encodeHistogram(this.histogramAll),
        cold: encodeHistogram(this.coldHistogram),
        warm: encodeHistogram(this.warmHistogram),
      },
    };
  }

  static fromJSON(s: SerializedTally): Tally {
    const t = new Tally();
    t.mergeSerialized(s);
    return t;
  }

  /**
   * Adds another tally into this one exactly: histograms added bucket by bucket, counts summed,
   * instance ids united. (Distinct instances are exact while the id sets are kept whole.)
   */
  mergeSerialized(s: SerializedTally): void {
    this.completed += s.completed;
    this.ok += s.ok;
    this.bytes += s.bytes;
    this.clamped += s.clamped;
    for (const [status, n] of Object.entries(s.statusCounts)) this.statusCounts[Number(status)]! += n;
    for (const k of CLIENT_ERROR_KINDS) {
      this.errors[k] += s.errors[k] ?? 0;
      if (this.errorSamples[k] === undefined && s.errorSamples[k] !== undefined) this.errorSamples[k] = s.errorSamples[k];
    }
    this.badBody += s.badBody;
    for (const k of BAD_BODY_KINDS) this.badBodyKinds[k] += s.badBodyKinds[k] ?? 0;
    for (const sample of s.badBodySamples) if (this.badBodySamples.length < MAX_BAD_BODY_SAMPLES) this.badBodySamples.push({ ...sample });
    this.bodyChecked += s.bodyChecked;
    this.bodyFullyParsed += s.bodyFullyParsed;
    this.cold += s.coldStarts.cold;
    this.warm += s.coldStarts.warm;
    this.unknownStart += s.coldStarts.unknown;
    const complete = s.coldStarts.instances.length === s.coldStarts.instanceCount;
    if (complete) for (const id of s.coldStarts.instances) this.addInstance(id);
    // An incomplete id set cannot be united exactly: count its unseen part as distinct (an upper bound).
    else this.instanceCount += s.coldStarts.instanceCount;
    for (const [name, v] of Object.entries(s.headerSums)) {
      const entry = this.headerSums.get(name);
      if (entry) {
        entry.sum += v.sum;
        entry.count += v.count;
      } else this.headerSums.set(name, { ...v });
    }
    this.histogram.add(decodeHistogram(s.histograms.responses));
    this.histogramAll.add(decodeHistogram(s.histograms.all));
    this.coldHistogram.add(decodeHistogram(s.histograms.cold));
    this.warmHistogram.add(decodeHistogram(s.histograms.warm));
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
