import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { requireEnv } from '../lib/env.ts';
import { PROCESSOR_ENV } from '../lib/fanout/constants.ts';
import { publishStreamRecords } from '../lib/fanout/stream-processor.ts';

// Read once per container: configuration and the client outlive a single invocation.
const topicArn = requireEnv(PROCESSOR_ENV.topicArn);
const sns = new SNSClient({});

/**
 * DynamoDB stream → SNS. Configure the event source mapping with
 * FunctionResponseTypes: ["ReportBatchItemFailures"] so a failed record is retried without the batch.
 */
export async function handler(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  return publishStreamRecords(event.Records, (input) => sns.send(new PublishCommand(input)), topicArn, (record, error) => {
    console.error(
      JSON.stringify({
        level: 'error',
        message: 'publish failed; reporting partial batch failure',
        eventID: record.eventID,
        sequenceNumber: record.dynamodb?.SequenceNumber,
        error: String(error),
      }),
    );
  });
}
