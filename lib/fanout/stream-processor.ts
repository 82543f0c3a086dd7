import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { MESSAGE_ATTRIBUTES } from './constants.ts';
import { InvalidStateError, stateFromStoredItem, type FanoutState } from './state.ts';

/** The SNS publish for one state change: the new image as JSON, version and write time as attributes. */
export function statePublishInput(topicArn: string, state: FanoutState): PublishCommandInput {
  return {
    TopicArn: topicArn,
    Message: JSON.stringify(state),
    MessageAttributes: {
      [MESSAGE_ATTRIBUTES.stateId]: { DataType: 'String', StringValue: state.id },
      [MESSAGE_ATTRIBUTES.version]: { DataType: 'Number', StringValue: String(state.version) },
      [MESSAGE_ATTRIBUTES.writtenAt]: { DataType: 'Number', StringValue: String(state.writtenAt) },
    },
  };
}

/** The state in a stream record's new image; undefined for REMOVE (a deletion is not a state tasks apply). */
export function stateFromStreamRecord(record: DynamoDBRecord): FanoutState | undefined {
  if (record.eventName === 'REMOVE') return undefined;
  const image = record.dynamodb?.NewImage;
  if (image === undefined) {
    throw new InvalidStateError('Stream record has no NewImage; the stream view type must include new images.', {
      eventID: record.eventID,
    });
  }
  return stateFromStoredItem(unmarshall(image as Record<string, AttributeValue>));
}

/**
 * Publishes each record in order. On the first failure it stops and reports that record and every
 * later one as failed, so the event source mapping retries from there and order per key holds
 * (records already published may be published again; consumers ignore versions they hold).
 */
export async function publishStreamRecords(
  records: readonly DynamoDBRecord[],
  publish: (input: PublishCommandInput) => Promise<unknown>,
  topicArn: string,
  onError: (record: DynamoDBRecord, error: unknown) => void,
): Promise<DynamoDBBatchResponse> {
  for (let i = 0; i < records.length; i += 1) {
    const record = records[i]!;
    try {
      const state = stateFromStreamRecord(record);
      if (state !== undefined) await publish(statePublishInput(topicArn, state));
    } catch (error) {
      onError(record, error);
      return {
        batchItemFailures: records.slice(i).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })),
      };
    }
  }
  return { batchItemFailures: [] };
}
