import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import type { Construct } from 'constructs';

/** Every log group the stacks create goes through here, so none is left to grow forever. */
export function logGroup(scope: Construct, id: string, name: string, retentionInDays: number): CloudwatchLogGroup {
  return new CloudwatchLogGroup(scope, id, { name, retentionInDays });
}

/** The group and its streams (`<group arn>:*`): the resource for logs:CreateLogStream and logs:PutLogEvents. */
export function logWriteArn(group: CloudwatchLogGroup): string {
  return `${group.arn}:*`;
}
