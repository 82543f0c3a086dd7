import { GetQueueUrlCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { consumerQueueNames } from '../../lib/fanout/constants.ts';
import type { FleetControl } from './fleet.ts';
import type { FaultRecord } from './journal.ts';
import type { FanoutReport, TaskWindow } from './report.ts';

/** Faults a fan-out run can inject (`--fault stop-task,scale,poison`). */
export const FAULT_KINDS = ['stop-task', 'scale', 'poison'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Tasks added by the scale fault (20 -> 25 -> 20 with the default 20). */
export const SCALE_STEP = 5;

export interface FaultStep {
  kind: FaultKind;
  /** Injected right after this many mutations were sent. */
  afterMutations: number;
  action: 'stop-task' | 'scale-out' | 'scale-in' | 'poison';
}

/**
 * When each fault happens, as data: scale out at 20 % of the mutations and back at 60 %, stop one task
 * at 30 %, a poison message at 50 %. (On AWS a new Fargate task takes tens of seconds to start: give the
 * run enough mutations that the replacement and the added tasks are ready well before the end.)
 */
export function planFaults(kinds: readonly FaultKind[], iterations: number): FaultStep[] {
  const at = (fraction: number) => Math.max(1, Math.min(iterations - 1, Math.floor(iterations * fraction)));
  const steps: FaultStep[] = [];
  for (const kind of new Set(kinds)) {
    if (kind === 'stop-task') steps.push({ kind, afterMutations: at(0.3), action: 'stop-task' });
    if (kind === 'poison') steps.push({ kind, afterMutations: at(0.5), action: 'poison' });
    if (kind === 'scale') steps.push({ kind, afterMutations: at(0.2), action: 'scale-out' }, { kind, afterMutations: at(0.6), action: 'scale-in' });
  }
  return steps.sort((a, b) => a.afterMutations - b.afterMutations);
}

/** The body of the poison message: valid JSON, but not an SNS envelope of a state record. */
export const POISON_BODY = JSON.stringify({ poison: true, note: 'fault injected by the serverless-speed-test runner' });

export interface FaultContext {
  fleet: FleetControl;
  sqs: SQSClient;
  namePrefix: string;
  /** Desired count before the run (the scale fault returns to it). */
  baseCount: number;
}

/** Injects one fault step; never throws (a failure is recorded in the returned record). */
export async function injectFault(step: FaultStep, ctx: FaultContext, exclude: ReadonlySet<string>): Promise<FaultRecord> {
  const record: FaultRecord = { kind: step.kind, at: Date.now(), afterMutations: step.afterMutations, details: { action: step.action } };
  try {
    if (step.action === 'stop-task' || step.action === 'poison') {
      const running = (await ctx.fleet.runningTaskIds()).filter((id) => !exclude.has(id)).sort();
      const taskId = running[0];
      if (taskId === undefined) throw new Error('no running task to pick');
      record.details['taskId'] = taskId;
      if (step.action === 'stop-task') {
        await ctx.fleet.stopTask(taskId, 'serverless-speed-test fault: stop one task mid-run');
      } else {
        const { QueueUrl } = await ctx.sqs.send(new GetQueueUrlCommand({ QueueName: consumerQueueNames(ctx.namePrefix, taskId).queue }));
        const sent = await ctx.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: POISON_BODY }));
        record.details['messageId'] = sent.MessageId;
      }
    } else {
      const to = step.action === 'scale-out' ? ctx.baseCount + SCALE_STEP : ctx.baseCount;
      record.details['from'] = await ctx.fleet.desiredCount();
      record.details['to'] = to;
      await ctx.fleet.setDesiredCount(to);
    }
  } catch (error) {
    record.error = String(error);
  }
  return record;
}

export interface FaultOutcome extends FaultRecord {
  /** One line: what happened and whether the pipeline coped. */
  outcome: string;
  held: boolean;
}

/**
 * What each fault did to the run, from the report: the stopped task and every task that became ready
 * after the fault (replacements, added tasks) must miss nothing they were present for; the poison
 * message must be in its task's DLQ at the end.
 */
export function faultOutcomes(faults: readonly FaultRecord[], report: FanoutReport, windows: readonly TaskWindow[]): FaultOutcome[] {
  const byTask = new Map(report.tasks.map((t) => [t.taskId, t]));
  return faults.map((fault) => {
    if (fault.error !== undefined) return { ...fault, outcome: `not injected: ${fault.error}`, held: false };
    const taskId = fault.details['taskId'] as string | undefined;
    if (fault.kind === 'poison') {
      const dlq = byTask.get(taskId ?? '')?.dlqMessages ?? 0;
      return { ...fault, outcome: `${dlq} message(s) in the DLQ of ${taskId} at the end`, held: dlq >= 1 };
    }
    const later = windows.filter((w) => w.readyAt > fault.at).map((w) => byTask.get(w.taskId)).filter((t) => t !== undefined);
    const missingLater = later.reduce((sum, t) => sum + t.missing, 0);
    if (fault.kind === 'stop-task') {
      const stopped = byTask.get(taskId ?? '');
      const held = (stopped?.missing ?? 0) === 0 && later.length > 0 && missingLater === 0;
      return {
        ...fault,
        outcome: `stopped ${taskId} (missing ${stopped?.missing ?? 0}); ${later.length} task(s) ready after it (${later.map((t) => t.taskId).join(', ') || 'none yet'}), missing ${missingLater} after their start`,
        held,
      };
    }
    const action = fault.details['action'];
    return {
      ...fault,
      outcome: `${action} ${fault.details['from']} -> ${fault.details['to']}; ${later.length} task(s) ready after it, missing ${missingLater} after their start`,
      held: missingLater === 0,
    };
  });
}
