import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../lib/repo-root.ts';
import type { ApiBackendsOutputs } from '../lib/stage/outputs.ts';
import { startChild } from './child-process.ts';
import type { LocalStage } from './index.ts';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

/**
 * Starts the local stage in a child process, so the load generator and the backends do not share an
 * event loop. The IPC channel ties the child's life to this process: if this process dies, the stage
 * stops itself.
 */
export async function spawnLocalStage(options: { log?: (line: string) => void; startTimeoutMs?: number } = {}): Promise<LocalStage> {
  const managed = await startChild(process.execPath, ['--import', 'tsx', MAIN], {
    name: 'local-stage',
    env: { ...process.env, NODE_OPTIONS: '' },
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    isReady: (line) => line['event'] === 'ready',
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
    ...(options.log ? { log: options.log } : {}),
  });
  const pids = (managed.ready['pids'] as number[] | undefined) ?? [];
  return {
    outputs: managed.ready['outputs'] as ApiBackendsOutputs,
    pids: [managed.child.pid!, ...pids.filter((pid) => pid !== managed.child.pid)],
    stop: async () => {
      await managed.stop(10_000);
      // If the stage process was killed hard, its service process may outlive it.
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // ESRCH: already gone, the normal case
        }
      }
    },
  };
}
