import { performance } from 'node:perf_hooks';
import { Client, request, type Dispatcher } from 'undici';
import { PUT_STATE_MUTATION } from '../../lib/fanout/templates.ts';

export interface MutationResult {
  version: number;
  /** Epoch ms the request was sent (client clock). */
  sentAt: number;
  /** Round trip of the mutation as the client saw it (monotonic clock). */
  appsyncMs: number;
  /** writtenAt returned by the resolver, or undefined if the mutation failed. */
  writtenAt: number | undefined;
  error: string | undefined;
}

export async function postGraphql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
  dispatcher?: Dispatcher,
): Promise<{ data?: Record<string, unknown> | null; errors?: { message: string; errorType?: string }[] }> {
  const { statusCode, body } = await request(url, {
    ...(dispatcher ? { dispatcher } : {}),
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await body.text();
  if (statusCode !== 200) throw new Error(`GraphQL endpoint answered ${statusCode}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { message: string }[] };
}

/** One putState mutation, timed. */
export async function sendMutation(
  url: string,
  stateId: string,
  version: number,
  payload: unknown,
  dispatcher?: Dispatcher,
  headers: Record<string, string> = {},
): Promise<MutationResult> {
  const sentAt = Date.now();
  const started = performance.now();
  try {
    const answer = await postGraphql(url, PUT_STATE_MUTATION, { id: stateId, version, payload: JSON.stringify(payload) }, headers, dispatcher);
    const appsyncMs = performance.now() - started;
    const written = answer.data?.['putState'] as { writtenAt?: number } | null | undefined;
    const error = answer.errors?.map((e) => e.message).join('; ');
    return { version, sentAt, appsyncMs, writtenAt: written?.writtenAt, error: error ?? (written ? undefined : 'no data') };
  } catch (error) {
    return { version, sentAt, appsyncMs: performance.now() - started, writtenAt: undefined, error: String(error) };
  }
}

/**
 * Sends `iterations` mutations with versions fromVersion+1.., each at its intended time
 * (start + i × interval, open loop: a slow answer does not delay the next send). One connection
 * without pipelining, so the endpoint sees the versions in order (over several connections a busy
 * server can run v+1 before v, and the resolver's condition then refuses v); a request that must
 * wait for the previous answer has that wait in its appsync time.
 */
export async function driveMutations(options: {
  url: string;
  stateId: string;
  fromVersion: number;
  iterations: number;
  intervalMs: number;
  onSent?: (index: number) => void | Promise<void>;
  /** Called with each answer as it arrives (the runner journals it). */
  onResult?: (result: MutationResult) => void;
  /** Request headers (AppSync: `x-api-key`). */
  headers?: Record<string, string>;
  /** Stops sending (the mutations already sent are still awaited and returned). */
  signal?: AbortSignal;
}): Promise<MutationResult[]> {
  const client = new Client(new URL(options.url).origin, { pipelining: 1 });
  const start = performance.now();
  const pending: Promise<MutationResult>[] = [];
  for (let i = 0; i < options.iterations && !options.signal?.aborted; i += 1) {
    const wait = start + i * options.intervalMs - performance.now();
    if (wait > 0) await abortableDelay(wait, options.signal);
    if (options.signal?.aborted) break;
    const version = options.fromVersion + i + 1;
    pending.push(
      sendMutation(options.url, options.stateId, version, { seq: i + 1, note: `change ${version}` }, client, options.headers).then((result) => {
        options.onResult?.(result);
        return result;
      }),
    );
    await options.onSent?.(i);
  }
  try {
    return await Promise.all(pending);
  } finally {
    await client.close();
  }
}

function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
