import { localOwner } from './config.ts';

/**
 * Who owns the task's queues and alarm (their `sst:owner` tag): FANOUT_OWNER if set; on ECS the task ARN
 * from the task metadata endpoint v4 (`$ECS_CONTAINER_METADATA_URI_V4/task`, field `TaskARN`), so a
 * reaper can ask ECS whether the owner still runs; else `local:<host>:<pid>`.
 */
export async function resolveOwner(
  configured: string | undefined,
  env: Record<string, string | undefined> = process.env,
  fetchJson: (url: string) => Promise<unknown> = async (url) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).json(),
): Promise<string> {
  if (configured !== undefined) return configured;
  const metadata = env['ECS_CONTAINER_METADATA_URI_V4'];
  if (metadata) {
    const task = (await fetchJson(`${metadata}/task`)) as { TaskARN?: unknown };
    if (typeof task.TaskARN === 'string' && task.TaskARN.startsWith('arn:')) return task.TaskARN;
    throw new Error(`The ECS task metadata endpoint (${metadata}/task) answered without a TaskARN.`);
  }
  return localOwner();
}

/**
 * On ECS: the task's ARN and its id (the ARN's last segment, 32 hex digits), from the task metadata
 * endpoint v4; undefined elsewhere. The consumer then uses the ECS task id as its task id, so the runner
 * can match receipts, queues and ECS tasks by one name.
 */
export async function ecsTaskIdentity(
  env: Record<string, string | undefined> = process.env,
  fetchJson: (url: string) => Promise<unknown> = async (url) => (await fetch(url, { signal: AbortSignal.timeout(2000) })).json(),
): Promise<{ taskArn: string; taskId: string } | undefined> {
  const metadata = env['ECS_CONTAINER_METADATA_URI_V4'];
  if (!metadata) return undefined;
  const owner = await resolveOwner(undefined, env, fetchJson);
  return { taskArn: owner, taskId: owner.split('/').at(-1)! };
}
