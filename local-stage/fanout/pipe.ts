import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { PIPE_INPUT_TEMPLATE, renderPipeInputTemplate } from '../../lib/fanout/pipe-template.ts';

/**
 * The EventBridge Pipe of the fan-out stack on the local stage: source the local stream (through the same
 * event source mapping loop as the Lambda, batch size 1 as the stack sets it), target the topic, the
 * stack's input template rendered per record by EventBridge's documented rules. A publish that fails
 * throws, and the mapping retries the record.
 */
export function localPipeTarget(options: {
  sns: SNSClient;
  topicArn: string;
  pipeName: string;
  sourceArn: string;
  template?: string;
}): (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: [] }> {
  const template = options.template ?? PIPE_INPUT_TEMPLATE;
  return async (event) => {
    for (const record of event.Records) {
      const message = renderPipeInputTemplate(template, record, {
        pipeName: options.pipeName,
        sourceArn: options.sourceArn,
        targetArn: options.topicArn,
        ingestionTime: new Date().toISOString(),
      });
      await options.sns.send(new PublishCommand({ TopicArn: options.topicArn, Message: message }));
    }
    return { batchItemFailures: [] };
  };
}
