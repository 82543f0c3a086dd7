import type { Message } from '@aws-sdk/client-sqs';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { epochMsAttribute } from './hops.ts';
import { PIPE_MESSAGE_KIND } from './pipe-template.ts';
import { rollCallId } from './receipts.ts';
import { InvalidStateError, parseState, stateFromStoredItem, type FanoutState } from './state.ts';

/** What a task reads from one SQS message delivered by SNS (envelope, not raw delivery). */
export interface ReceivedChange {
  messageId: string;
  receiptHandle: string;
  state: FanoutState;
  snsTimestamp: number;
  sentTimestamp: number;
  firstReceiveTimestamp: number;
  receiveCount: number;
}

/** System attributes the consumer asks SQS for on every receive. */
export const RECEIVE_SYSTEM_ATTRIBUTES = ['SentTimestamp', 'ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount'] as const;

/** Parses one message; throws InvalidStateError for anything that is not an SNS envelope of a state record. */
export function parseReceivedChange(message: Message): ReceivedChange {
  const messageId = message.MessageId ?? '';
  let envelope: { Message?: unknown; Timestamp?: unknown };
  let inner: unknown;
  try {
    envelope = JSON.parse(message.Body ?? '') as typeof envelope;
    inner = typeof envelope.Message === 'string' ? JSON.parse(envelope.Message) : undefined;
  } catch (cause) {
    throw new InvalidStateError('Message body is not an SNS envelope with a JSON message.', { messageId, cause: String(cause) });
  }
  const state = stateFromMessage(inner);
  const snsTimestamp = typeof envelope.Timestamp === 'string' ? Date.parse(envelope.Timestamp) : Number.NaN;
  const sentTimestamp = epochMsAttribute(message.Attributes, 'SentTimestamp');
  const firstReceiveTimestamp = epochMsAttribute(message.Attributes, 'ApproximateFirstReceiveTimestamp');
  if (!Number.isFinite(snsTimestamp) || sentTimestamp === undefined || firstReceiveTimestamp === undefined) {
    throw new InvalidStateError('Message lacks the SNS Timestamp or the SQS SentTimestamp/ApproximateFirstReceiveTimestamp.', {
      messageId,
    });
  }
  return {
    messageId,
    receiptHandle: message.ReceiptHandle ?? '',
    state,
    snsTimestamp,
    sentTimestamp,
    firstReceiveTimestamp,
    receiveCount: epochMsAttribute(message.Attributes, 'ApproximateReceiveCount') ?? 1,
  };
}

/**
 * The state in an SNS message: the Lambda processor publishes the state itself; the EventBridge Pipe
 * publishes its input template (`PIPE_INPUT_TEMPLATE`), the stream record's new image in DynamoDB form.
 */
export function stateFromMessage(inner: unknown): FanoutState {
  const value = inner as { kind?: unknown; newImage?: unknown } | null;
  if (typeof value === 'object' && value !== null && value.kind === PIPE_MESSAGE_KIND) {
    if (typeof value.newImage !== 'object' || value.newImage === null || Array.isArray(value.newImage)) {
      throw new InvalidStateError('Pipe message has no "newImage" object.');
    }
    let item: Record<string, unknown>;
    try {
      item = unmarshall(value.newImage as Record<string, AttributeValue>);
    } catch (cause) {
      throw new InvalidStateError('Pipe message "newImage" is not a DynamoDB image.', { cause: String(cause) });
    }
    return stateFromStoredItem(item);
  }
  return parseState(inner);
}

/** The runner's roll-call id when the message is an SNS envelope of a roll call, else undefined. */
export function rollCallOf(message: Message): string | undefined {
  try {
    const envelope = JSON.parse(message.Body ?? '') as { Message?: unknown };
    return typeof envelope.Message === 'string' ? rollCallId(JSON.parse(envelope.Message)) : undefined;
  } catch {
    return undefined;
  }
}
