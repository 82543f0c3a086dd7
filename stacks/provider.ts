import { AwsProvider } from '@cdktf/provider-aws/lib/provider/index.js';
import type { Construct } from 'constructs';

/** The AWS provider every stack uses: the configured region and tags that name the kit and stack. */
export function awsProvider(scope: Construct, region: string, stackName: string): AwsProvider {
  return new AwsProvider(scope, 'aws', {
    region,
    defaultTags: [{ tags: { project: 'serverless-speed-test', stack: stackName } }],
  });
}
