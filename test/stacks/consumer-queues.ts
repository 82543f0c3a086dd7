import { readConsumerConfig } from '../../fargate-consumer/config.ts';
import { provisionTaskQueues } from '../../fargate-consumer/queues.ts';
import type { TfJson } from './synth-helper.ts';

/**
 * The SQS queues of the fan-out stack are not in its plan: each consumer task creates its own queue
 * and DLQ when it starts. This runs the consumer's set-up with the environment the plan gives the task
 * (and a client that records instead of calling SQS), and returns every CreateQueue input, so the
 * policy tests can hold those queues to the same rules as planned ones.
 */
export async function consumerCreateQueueInputs(stack: TfJson): Promise<{ QueueName: string; Attributes: Record<string, string> }[]> {
  const [taskDefinition] = Object.values(stack.resource['aws_ecs_task_definition'] ?? {});
  if (!taskDefinition) return [];
  const [container] = JSON.parse(taskDefinition['container_definitions'] as string) as { environment: { name: string; value: string }[] }[];
  const env = Object.fromEntries(container!.environment.map((e) => [e.name, e.value]));
  const config = readConsumerConfig({ ...env, FANOUT_TASK_ID: 'policy-check' });
  const created: { QueueName: string; Attributes: Record<string, string> }[] = [];
  const send = async (command: { constructor: { name: string }; input: any }) => {
    switch (command.constructor.name) {
      case 'CreateQueueCommand':
        created.push(command.input);
        return { QueueUrl: `https://sqs.us-east-1.amazonaws.com/1/${command.input.QueueName}` };
      case 'GetQueueAttributesCommand':
        return { Attributes: { QueueArn: `arn:aws:sqs:us-east-1:1:${String(command.input.QueueUrl).split('/').at(-1)}` } };
      case 'SubscribeCommand':
        return { SubscriptionArn: 'arn:aws:sns:us-east-1:1:t:sub' };
      default:
        return {};
    }
  };
  await provisionTaskQueues({ sqs: { send }, sns: { send }, cloudwatch: { send } } as never, config, 'policy-check-owner');
  return created;
}
