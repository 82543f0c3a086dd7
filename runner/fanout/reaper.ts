import { DeleteAlarmsCommand, DescribeAlarmsCommand, ListTagsForResourceCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeleteQueueCommand, GetQueueAttributesCommand, ListQueuesCommand, ListQueueTagsCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { hostname } from 'node:os';
import { consumerAlarmPrefix, consumerQueuePrefix, DLQ_SUFFIX, OWNER_TAGS } from '../../lib/fanout/constants.ts';

export interface ReapReport {
  /** Queues deleted (their owner is gone). */
  deletedQueues: string[];
  deletedAlarms: string[];
  /** DLQs of gone owners that still hold messages: kept (the evidence), with their alarms. */
  keptDlqs: { queueUrl: string; messages: number; owner: string }[];
  /** Queues with no owner tag (created by an older consumer): left alone, listed. */
  untagged: string[];
  errors: string[];
}

export interface ReapOptions {
  sqs: SQSClient;
  /** Omit where there is no CloudWatch (the local stage): alarms are then not looked at. */
  cloudwatch?: CloudWatchClient;
  namePrefix: string;
  /** Of these owner tags, the ones still running (ECS: DescribeTasks; local: the process exists). */
  aliveOwners: (owners: readonly string[]) => Promise<Set<string>>;
  log?: (line: string) => void;
}

/** Owners of the form `local:<host>:<pid>` that are alive: on this host, a process with that pid exists. */
export function localAliveOwners(owners: readonly string[]): Set<string> {
  const alive = new Set<string>();
  for (const owner of owners) {
    const [kind, host, pid] = owner.split(':');
    if (kind !== 'local' || pid === undefined) continue;
    if (host !== hostname()) {
      alive.add(owner); // another machine's: cannot tell, so never reaped from here
      continue;
    }
    try {
      process.kill(Number(pid), 0);
      alive.add(owner);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EPERM') alive.add(owner);
    }
  }
  return alive;
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
  );
  const a = Attributes ?? {};
  return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
}

/**
 * Removes what consumer tasks that died without SIGTERM left behind: their queue, their DLQ when empty,
 * and the DLQ's alarm. Only names under this copy's prefix (`<namePrefix>-fanout-task-`) are looked at,
 * and only those whose `sst:owner` tag names an owner that is gone. A DLQ that holds messages is kept
 * with its alarm (the evidence of a change a task could not apply) and listed. Run by every fan-out run
 * on AWS before it starts, and callable from `node runner destroy`.
 */
export async function reapFanoutOrphans(options: ReapOptions): Promise<ReapReport> {
  const report: ReapReport = { deletedQueues: [], deletedAlarms: [], keptDlqs: [], untagged: [], errors: [] };
  const urls: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await options.sqs.send(new ListQueuesCommand({ QueueNamePrefix: consumerQueuePrefix(options.namePrefix), NextToken: nextToken, MaxResults: 1000 }));
    urls.push(...(page.QueueUrls ?? []));
    nextToken = page.NextToken;
  } while (nextToken);

  const owners = new Map<string, string>();
  const taskIds = new Map<string, string>();
  for (const url of urls) {
    const { Tags } = await options.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    const owner = Tags?.[OWNER_TAGS.owner];
    if (owner === undefined) report.untagged.push(url);
    else {
      owners.set(url, owner);
      taskIds.set(url, Tags?.[OWNER_TAGS.taskId] ?? '');
    }
  }
  const alive = await options.aliveOwners([...new Set(owners.values())]);
  const keptDlqTasks = new Set<string>();
  for (const [url, owner] of owners) {
    if (alive.has(owner)) continue;
    try {
      if (url.endsWith(DLQ_SUFFIX)) {
        const messages = await depth(options.sqs, url);
        if (messages > 0) {
          report.keptDlqs.push({ queueUrl: url, messages, owner });
          keptDlqTasks.add(taskIds.get(url) ?? '');
          continue;
        }
      }
      await options.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
      report.deletedQueues.push(url);
    } catch (error) {
      report.errors.push(`${url}: ${String(error)}`);
    }
  }

  if (options.cloudwatch !== undefined) {
    const alarmPrefix = consumerAlarmPrefix(options.namePrefix);
    let token: string | undefined;
    const alarms: { name: string; arn: string }[] = [];
    do {
      const page = await options.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: alarmPrefix, NextToken: token }));
      for (const a of page.MetricAlarms ?? []) if (a.AlarmName && a.AlarmArn) alarms.push({ name: a.AlarmName, arn: a.AlarmArn });
      token = page.NextToken;
    } while (token);
    const alarmOwners = new Map<string, string>();
    for (const alarm of alarms) {
      const { Tags } = await options.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: alarm.arn }));
      const owner = Tags?.find((t) => t.Key === OWNER_TAGS.owner)?.Value;
      if (owner !== undefined) alarmOwners.set(alarm.name, owner);
    }
    const aliveAlarmOwners = await options.aliveOwners([...new Set(alarmOwners.values())]);
    const gone = [...alarmOwners].filter(([name, owner]) => !aliveAlarmOwners.has(owner) && !keptDlqTasks.has(name.slice(alarmPrefix.length))).map(([name]) => name);
    for (let i = 0; i < gone.length; i += 100) {
      try {
        await options.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: gone.slice(i, i + 100) }));
        report.deletedAlarms.push(...gone.slice(i, i + 100));
      } catch (error) {
        report.errors.push(`alarms: ${String(error)}`);
      }
    }
  }
  const line = `reaper (${options.namePrefix}): deleted ${report.deletedQueues.length} queue(s) and ${report.deletedAlarms.length} alarm(s) of stopped tasks; kept ${report.keptDlqs.length} DLQ(s) holding messages`;
  options.log?.(report.keptDlqs.length > 0 ? `${line}: ${report.keptDlqs.map((k) => `${k.queueUrl} (${k.messages})`).join(', ')}` : line);
  return report;
}
