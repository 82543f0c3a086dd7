import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { KitError } from '../lib/errors.ts';

export class ChildStartError extends KitError {
  constructor(message: string, context: Record<string, unknown>, cause?: unknown) {
    super('LOCAL_PROCESS_FAILED', message, { context, cause });
  }
}

export interface ManagedChild {
  child: ChildProcess;
  /** The first stdout line that `isReady` accepted, parsed as JSON. */
  ready: Record<string, unknown>;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a process and waits until it prints a JSON line that `isReady` accepts, or fails with the
 * process's own last words. Later stdout/stderr lines go to `log`. `stop()` sends SIGTERM, then
 * SIGKILL after `timeoutMs`, and resolves once the process is gone.
 */
export async function startChild(
  command: string,
  args: string[],
  options: {
    env: NodeJS.ProcessEnv;
    cwd?: string;
    name: string;
    isReady: (line: Record<string, unknown>) => boolean;
    startTimeoutMs?: number;
    log?: (line: string) => void;
    stdio?: SpawnOptions['stdio'];
  },
): Promise<ManagedChild> {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'] });
  const log = options.log ?? (() => {});
  const recent: string[] = [];
  const remember = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => (remember(line), log(`${options.name}: ${line}`)));

  const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new ChildStartError(`${options.name} did not report ready within ${options.startTimeoutMs ?? 30_000} ms.`, { recent }));
    }, options.startTimeoutMs ?? 30_000);
    const lines = createInterface({ input: child.stdout! });
    let settled = false;
    lines.on('line', (line) => {
      remember(line);
      if (settled) return log(`${options.name}: ${line}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return log(`${options.name}: ${line}`);
      }
      if (typeof parsed === 'object' && parsed !== null && options.isReady(parsed as Record<string, unknown>)) {
        settled = true;
        clearTimeout(timer);
        resolve(parsed as Record<string, unknown>);
      } else log(`${options.name}: ${line}`);
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new ChildStartError(`${options.name} could not be started: ${error.message}`, { command }, error));
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      clearTimeout(timer);
      reject(new ChildStartError(`${options.name} exited (${signal ?? code}) before it was ready. Last output:\n${recent.join('\n')}`, { code, signal }));
    });
  });

  return {
    child,
    ready,
    stop: async (timeoutMs = 5_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
