import type { HopDurations } from './hops.ts';
import type { ApplyOutcome } from './state.ts';

/** One delivery as the consumer records it: the EMF line's dimensions, metrics and properties. */
export interface DeliveryRecord {
  taskId: string;
  stateId: string;
  version: number;
  outcome: ApplyOutcome;
  messageId: string;
  receiveCount: number;
  writtenAt: number;
  appliedAt: number;
  hops: HopDurations;
}

export const DELIVERY_EVENT = 'fanout.delivery';

/**
 * A CloudWatch Embedded Metric Format line for one delivery. On AWS the awslogs driver ships stdout
 * to CloudWatch Logs, which extracts the metrics; the local stage reads the same lines from stdout.
 */
export function deliveryEmfLine(namespace: string, record: DeliveryRecord): string {
  const { hops } = record;
  return JSON.stringify({
    _aws: {
      Timestamp: record.appliedAt,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['Outcome'], []],
          Metrics: [
            { Name: 'StreamTimeTaken', Unit: 'Milliseconds' },
            { Name: 'SnsTimeTaken', Unit: 'Milliseconds' },
            { Name: 'SqsTimeTaken', Unit: 'Milliseconds' },
            { Name: 'ConsumeTimeTaken', Unit: 'Milliseconds' },
            { Name: 'EndToEndTimeTaken', Unit: 'Milliseconds' },
          ],
        },
      ],
    },
    Outcome: record.outcome,
    StreamTimeTaken: hops.streamMs,
    SnsTimeTaken: hops.snsMs,
    SqsTimeTaken: hops.sqsMs,
    ConsumeTimeTaken: hops.consumeMs,
    EndToEndTimeTaken: hops.endToEndMs,
    event: DELIVERY_EVENT,
    taskId: record.taskId,
    stateId: record.stateId,
    version: record.version,
    messageId: record.messageId,
    receiveCount: record.receiveCount,
    writtenAt: record.writtenAt,
    appliedAt: record.appliedAt,
  });
}

/** The inverse of deliveryEmfLine for one stdout line; undefined for any other line. */
export function parseDeliveryEmfLine(line: string): DeliveryRecord | undefined {
  if (!line.startsWith('{')) return undefined;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (value['event'] !== DELIVERY_EVENT) return undefined;
  return {
    taskId: String(value['taskId']),
    stateId: String(value['stateId']),
    version: Number(value['version']),
    outcome: value['Outcome'] as DeliveryRecord['outcome'],
    messageId: String(value['messageId']),
    receiveCount: Number(value['receiveCount']),
    writtenAt: Number(value['writtenAt']),
    appliedAt: Number(value['appliedAt']),
    hops: {
      streamMs: Number(value['StreamTimeTaken']),
      snsMs: Number(value['SnsTimeTaken']),
      sqsMs: Number(value['SqsTimeTaken']),
      consumeMs: Number(value['ConsumeTimeTaken']),
      endToEndMs: Number(value['EndToEndTimeTaken']),
    },
  };
}
