import { parseDeliveryEmfLine, type DeliveryRecord } from './emf.ts';

/**
 * Receipts: how deliveries and task lifecycle reach the runner when it cannot read the tasks' stdout
 * (on AWS). Each task sends the JSON lines it prints (each delivery's EMF line, and its `fanout.*`
 * events) to the stack's receipts queue, several lines per SQS message separated by "\n".
 */

/** The runner publishes this to the topic; every task answers with a `fanout.roll-call` receipt. */
export const ROLL_CALL_KIND = 'roll-call';

/** The body of a roll-call message the runner publishes to the topic. */
export function rollCallMessage(callId: string): string {
  return JSON.stringify({ kind: ROLL_CALL_KIND, callId });
}

/** The call id when an SNS `Message` is a roll call, else undefined. */
export function rollCallId(inner: unknown): string | undefined {
  const value = inner as { kind?: unknown; callId?: unknown } | null;
  return typeof value === 'object' && value !== null && value.kind === ROLL_CALL_KIND && typeof value.callId === 'string' ? value.callId : undefined;
}

/** A task event line (`{"event":"fanout.ready","taskId":...,"at":epochMs,...}`). */
export interface TaskEvent {
  event: string;
  taskId: string;
  /** Epoch ms on the task's clock. */
  at: number;
  [key: string]: unknown;
}

export type Receipt = { kind: 'delivery'; delivery: DeliveryRecord } | { kind: 'event'; event: TaskEvent };

/** Parses one printed line; undefined for anything that is neither a delivery nor a task event. */
export function parseReceiptLine(line: string): Receipt | undefined {
  const delivery = parseDeliveryEmfLine(line);
  if (delivery !== undefined) return { kind: 'delivery', delivery };
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    if (typeof value['event'] !== 'string' || !value['event'].startsWith('fanout.') || typeof value['taskId'] !== 'string') return undefined;
    const at = typeof value['at'] === 'number' ? value['at'] : typeof value['time'] === 'string' ? Date.parse(value['time']) : Number.NaN;
    return { kind: 'event', event: { ...value, event: value['event'], taskId: value['taskId'], at } };
  } catch {
    return undefined;
  }
}

/** Splits a receipts message body into its lines and parses each (unknown lines are dropped). */
export function parseReceiptBody(body: string): Receipt[] {
  return body
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .flatMap((line) => parseReceiptLine(line) ?? []);
}

/** Largest receipts message body the sender builds (SQS allows 256 KiB; headroom for attributes). */
export const MAX_RECEIPT_BODY_BYTES = 200 * 1024;

/** Packs lines into message bodies of at most MAX_RECEIPT_BODY_BYTES, in order. */
export function packReceiptLines(lines: readonly string[], maxBytes = MAX_RECEIPT_BODY_BYTES): string[] {
  const bodies: string[] = [];
  let current: string[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.byteLength(line) + 1;
    if (current.length > 0 && size + bytes > maxBytes) {
      bodies.push(current.join('\n'));
      current = [];
      size = 0;
    }
    current.push(line);
    size += bytes;
  }
  if (current.length > 0) bodies.push(current.join('\n'));
  return bodies;
}
