import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ConfigError } from '../lib/errors.ts';
import { SST_HEADERS } from '../lib/cost/headers.ts';
import type { LambdaHandler } from './apigateway/lambda-proxy.ts';

/**
 * The local Lambda host as Lambda runs a function: every execution environment ("instance") serves
 * one request at a time; a request that finds every instance busy gets a new one, whose module is
 * initialised afresh (its top level runs again: a real cold start); idle instances are reused, most
 * recently used first; at most `limit` instances exist (a request beyond the limit waits for one to
 * be free; Lambda would throttle at the concurrency limit instead, see docs/aws-fidelity.md).
 *
 * Instances live in this process (one event loop), so they share the CPU unlike Lambda sandboxes;
 * a new instance blocks the loop while its module is parsed and run (measured: docs/cost.md).
 */

/** Loads a fresh copy of the function's module (a new module instance) and returns its handler. */
export type LoadInstance = (instanceNumber: number) => Promise<LambdaHandler>;

export interface LambdaPoolOptions {
  load: LoadInstance;
  /** Most instances at once (the local stand-in for the function's concurrency). */
  limit: number;
  /** The function's configured memory, given to the handler as context.memoryLimitInMB. */
  memoryMb: number;
}

export interface LambdaPoolStats {
  /** Instances created (each one a cold start). */
  created: number;
  /** Instances busy now. */
  busy: number;
  /** Requests that had to wait for an instance because the limit was reached. */
  waited: number;
  /** INIT (module load) time of each instance created, in ms. */
  initMs: number[];
}

export interface LambdaPool {
  handler: LambdaHandler;
  stats(): LambdaPoolStats;
}

interface Instance {
  number: number;
  handler: LambdaHandler;
  /** INIT duration to report on its first response, then undefined. */
  pendingInitMs: number | undefined;
}

export function createLambdaPool(options: LambdaPoolOptions): LambdaPool {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new ConfigError(`The local Lambda instance limit must be an integer of at least 1; got ${options.limit}.`);
  }
  const idle: Instance[] = [];
  const waiting: ((instance: Instance) => void)[] = [];
  let count = 0;
  let busy = 0;
  let waited = 0;
  const initMs: number[] = [];

  async function create(): Promise<Instance> {
    const number = ++count;
    const started = performance.now();
    try {
      const handler = await options.load(number);
      const ms = performance.now() - started;
      initMs.push(ms);
      return { number, handler, pendingInitMs: ms };
    } catch (error) {
      count--;
      throw error;
    }
  }

  async function acquire(): Promise<Instance> {
    const reused = idle.pop();
    if (reused) return reused;
    if (count < options.limit) return create();
    waited++;
    return new Promise<Instance>((resolve) => waiting.push(resolve));
  }

  function release(instance: Instance): void {
    const next = waiting.shift();
    if (next) next(instance);
    else idle.push(instance);
  }

  const handler: LambdaHandler = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const instance = await acquire();
    busy++;
    try {
      const result = await instance.handler(event, { ...context, memoryLimitInMB: String(options.memoryMb) });
      const init = instance.pendingInitMs;
      instance.pendingInitMs = undefined;
      if (init !== undefined && result && typeof result === 'object') {
        // What Lambda reports as `Init Duration` in the REPORT line; locally there is no log to fetch.
        return { ...result, headers: { ...(result.headers ?? {}), [SST_HEADERS.initMs]: String(Math.ceil(init)) } };
      }
      return result;
    } finally {
      busy--;
      release(instance);
    }
  };

  return {
    handler,
    stats: () => ({ created: count, busy, waited, initMs: [...initMs] }),
  };
}
