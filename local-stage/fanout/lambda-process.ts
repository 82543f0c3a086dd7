import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KitError } from '../../lib/errors.ts';

const HOST = fileURLToPath(new URL('./lambda-host.ts', import.meta.url));

export class LambdaInvokeError extends KitError {
  constructor(functionName: string, message: string) {
    super('LAMBDA_INVOKE_FAILED', `${functionName} failed: ${message}`, { context: { functionName } });
  }
}

export interface LambdaProcess {
  pid: number;
  invoke(event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts a Lambda bundle in its own process with the function's environment; resolves once it is loaded. */
export async function startLambdaProcess(options: {
  name: string;
  bundle: string;
  env: Record<string, string>;
  log: (line: string) => void;
  startTimeoutMs?: number;
  /** An invocation that has not answered by then fails, as a Lambda past its timeout (the stack's default, 10 s). */
  invokeTimeoutMs?: number;
}): Promise<LambdaProcess> {
  const invokeTimeoutMs = options.invokeTimeoutMs ?? 10_000;
  const child = fork(HOST, [options.bundle], {
    execArgv: ['--import', 'tsx'],
    env: { PATH: process.env['PATH'] ?? '', AWS_LAMBDA_FUNCTION_NAME: options.name, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream }).on('line', (line) => options.log(`${options.name}: ${line}`));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  child.once('exit', (code, signal) => {
    for (const { reject } of pending.values()) reject(new LambdaInvokeError(options.name, `process exited (${signal ?? code})`));
    pending.clear();
  });

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new LambdaInvokeError(options.name, `not loaded within ${options.startTimeoutMs ?? 30_000} ms`));
    }, options.startTimeoutMs ?? 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new LambdaInvokeError(options.name, `exited (${signal ?? code}) while loading ${options.bundle}`));
    });
    child.on('message', (message: { ready?: boolean; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (message.ready) {
        clearTimeout(timer);
        resolve();
        return;
      }
      const waiter = pending.get(message.id ?? -1);
      if (!waiter) return;
      pending.delete(message.id!);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new LambdaInvokeError(options.name, message.error ?? 'unknown error'));
    });
  });

  return {
    pid: child.pid!,
    invoke: (event) =>
      new Promise((resolve, reject) => {
        const id = (nextId += 1);
        // A late answer finds no waiter and is dropped; the caller has retried by then.
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new LambdaInvokeError(options.name, `no answer within ${invokeTimeoutMs} ms`));
        }, invokeTimeoutMs);
        const settle = <T>(fn: (value: T) => void) => (value: T) => {
          clearTimeout(timer);
          fn(value);
        };
        const waiter = { resolve: settle(resolve), reject: settle(reject) };
        pending.set(id, waiter);
        child.send({ id, event }, (error) => {
          if (error === null) return;
          pending.delete(id);
          waiter.reject(new LambdaInvokeError(options.name, `cannot reach the process: ${error.message}`));
        });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}
