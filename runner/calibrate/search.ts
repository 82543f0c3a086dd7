/**
 * The calibration search, pure: given a way to measure one concurrency, find the highest
 * concurrency whose p50 stays within `tolerance` of the server's real latency (and where every
 * request succeeded). Bounded in probes and in time: doubling from `start` until a probe fails or
 * `maxConcurrency` is reached, then bisection between the last pass and the first failure until the
 * bracket is within `resolution` or the probes/time run out.
 */
export interface Probe {
  concurrency: number;
  requests: number;
  /** Completed requests (responses and client errors). */
  completed: number;
  /** 2xx responses. */
  ok: number;
  p50Ms: number;
  p99Ms: number;
  /** Completed requests over first send to last completion. */
  throughputRps: number;
  wallMs: number;
}

export interface ProbeVerdict extends Probe {
  pass: boolean;
  /** p50 over the baseline, minus one (0.05 = 5 % above). */
  inflation: number;
  /** Why it failed, in words, or null. */
  reason: string | null;
}

export interface SearchOptions {
  /** The server's real latency (p50 of an unloaded client), ms. */
  baselineMs: number;
  /** Allowed p50 inflation, 0.1 = 10 %. */
  tolerance: number;
  start: number;
  maxConcurrency: number;
  maxProbes: number;
  /** Stop bisecting when failing / passing concurrency is at most this ratio (1.1 = within 10 %). */
  resolution: number;
  /** Absolute deadline (performance.now() clock); no probe starts after it. */
  deadline: number;
  now?: () => number;
}

export type SearchLimit = 'max-concurrency' | 'p50' | 'probes' | 'time';

export interface SearchResult {
  /** The passing probe with the highest concurrency; null when even `start` failed. */
  best: ProbeVerdict | null;
  /** The lowest failing concurrency seen (the search's upper bracket), if any. */
  firstFailure: ProbeVerdict | null;
  /** What ended the search. */
  limitedBy: SearchLimit;
  probes: ProbeVerdict[];
}

export function judge(probe: Probe, baselineMs: number, tolerance: number): ProbeVerdict {
  const inflation = probe.p50Ms / baselineMs - 1;
  let reason: string | null = null;
  if (probe.ok < probe.requests) reason = `${probe.requests - probe.ok} of ${probe.requests} requests failed`;
  else if (inflation > tolerance) reason = `p50 ${probe.p50Ms.toFixed(1)} ms is ${(inflation * 100).toFixed(0)} % above ${baselineMs.toFixed(1)} ms`;
  return { ...probe, pass: reason === null, inflation, reason };
}

export async function searchCapacity(measure: (concurrency: number) => Promise<Probe>, options: SearchOptions): Promise<SearchResult> {
  const now = options.now ?? (() => performance.now());
  if (!(options.start >= 1 && options.maxConcurrency >= options.start)) throw new RangeError('need 1 <= start <= maxConcurrency');
  if (!(options.maxProbes >= 1 && options.resolution > 1)) throw new RangeError('need maxProbes >= 1 and resolution > 1');
  const probes: ProbeVerdict[] = [];
  let best: ProbeVerdict | null = null;
  let failure: ProbeVerdict | null = null;
  const out = (limitedBy: SearchLimit): SearchResult => ({ best, firstFailure: failure, limitedBy, probes });
  const probe = async (concurrency: number) => {
    const verdict = judge(await measure(concurrency), options.baselineMs, options.tolerance);
    probes.push(verdict);
    if (verdict.pass) {
      if (!best || verdict.concurrency > best.concurrency) best = verdict;
    } else if (!failure || verdict.concurrency < failure.concurrency) failure = verdict;
    return verdict;
  };
  const budgetLeft = (): SearchLimit | null => (probes.length >= options.maxProbes ? 'probes' : now() >= options.deadline ? 'time' : null);

  // Phase 1: double until a failure or the ceiling.
  let c = options.start;
  for (;;) {
    const stop = budgetLeft();
    if (stop) return out(stop);
    const v = await probe(c);
    if (!v.pass) break;
    if (c >= options.maxConcurrency) return out('max-concurrency');
    c = Math.min(options.maxConcurrency, c * 2);
  }
  // Phase 2: bisect between the best pass and the lowest failure.
  for (;;) {
    if (!best) return out('p50');
    const lo = (best as ProbeVerdict).concurrency;
    const hi = (failure as ProbeVerdict | null)?.concurrency ?? options.maxConcurrency;
    if (hi / lo <= options.resolution || hi - lo <= 1) return out('p50');
    const stop = budgetLeft();
    if (stop) return out(stop);
    await probe(Math.round(Math.sqrt(lo * hi)));
  }
}
