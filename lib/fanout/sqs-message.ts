import type { Message } from '@aws-sdk/client-sqs';
import { epochMsAttribute } from './hops.ts';
import { InvalidStateError, parseState, type FanoutState } from './state.ts';

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
  const state = parseState(inner);
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
