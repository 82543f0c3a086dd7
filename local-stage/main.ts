// Entry of the local stage as its own process (see spawn.ts): one JSON "ready" line on stdout with
// the outputs, logs on stderr, and a clean stop on SIGTERM, SIGINT or when the parent goes away.
import { startLocalStage } from './index.ts';

const log = (line: string) => process.stderr.write(`[local-stage] ${line}\n`);
const stage = await startLocalStage({ log });
process.stdout.write(`${JSON.stringify({ event: 'ready', outputs: stage.outputs, pids: stage.pids })}\n`);

let stopping = false;
async function shutdown(reason: string) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${reason})`);
  try {
    await stage.stop();
    process.exit(0);
  } catch (error) {
    log(`stop failed: ${String(error)}`);
    process.exit(1);
  }
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('disconnect', () => void shutdown('parent disconnected'));
