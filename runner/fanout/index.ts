/**
 * The fan-out runner's entry points for other commands: `reapFanoutOrphans` (queues and alarms left by
 * consumer tasks that died without SIGTERM; `node runner destroy` calls it before the stack goes) and
 * `reapFanoutOrphansFromOutputs` (the same with clients made from the deployment's outputs).
 */
import { defaultAwsFanoutDeps, readFanoutOutputs } from './aws.ts';
import { reapFanoutOrphans, type ReapReport } from './reaper.ts';

export { reapFanoutOrphans, localAliveOwners, type ReapOptions, type ReapReport } from './reaper.ts';
export { runFanoutOnAws } from './aws.ts';
export { recoverFanoutRun, recoverInterruptedRuns } from './recover.ts';

/** Reaps the orphans of a deployed fan-out stack, with clients for the region in its outputs. */
export async function reapFanoutOrphansFromOutputs(outputsFile: string, log: (line: string) => void = () => {}): Promise<ReapReport> {
  const outputs = await readFanoutOutputs(outputsFile);
  const deps = defaultAwsFanoutDeps(outputs);
  return reapFanoutOrphans({ sqs: deps.sqs, ...(deps.cloudwatch ? { cloudwatch: deps.cloudwatch } : {}), namePrefix: outputs.namePrefix, aliveOwners: deps.aliveOwners, log });
}
