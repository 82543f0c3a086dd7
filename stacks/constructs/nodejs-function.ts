import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function/index.js';
import { AssetType, TerraformAsset } from 'cdktf';
import { Construct } from 'constructs';
import { bundleDir } from '../bundles.ts';
import type { StackConfig } from '../config.ts';
import { logGroup, logWriteArn } from './log-group.ts';
import { ServiceRole, type Statement } from './service-role.ts';

export interface NodejsFunctionProps {
  functionName: string;
  /** Bundle outfile from scripts/bundles.ts, e.g. dist/handlers/turkeys-api/index.mjs; exports `handler`. */
  bundle: string;
  environment: Record<string, string>;
  /** What the function may do beyond writing its own logs. */
  statements: readonly Statement[];
  config: Pick<StackConfig, 'lambdaMemoryMb' | 'lambdaArchitecture' | 'lambdaRuntime' | 'logRetentionDays'>;
  timeoutSeconds?: number;
  /** Where `bundle` is resolved from; the repository root unless a test builds elsewhere. */
  root?: string;
}

/**
 * A Lambda function from an esbuild bundle: the bundle's folder zipped as a Terraform asset (its
 * content hash is in the asset path and in source_code_hash, so new code means a new deployment),
 * its own log group with retention, and a role that may write only to that group.
 */
export class NodejsFunction extends Construct {
  readonly fn: LambdaFunction;
  readonly role: ServiceRole;
  readonly asset: TerraformAsset;

  constructor(scope: Construct, id: string, props: NodejsFunctionProps) {
    super(scope, id);
    const { functionName, config } = props;
    this.asset = new TerraformAsset(this, 'bundle', { path: bundleDir(props.bundle, props.root), type: AssetType.ARCHIVE });
    const logs = logGroup(this, 'logs', `/aws/lambda/${functionName}`, config.logRetentionDays);
    this.role = new ServiceRole(this, 'role', {
      roleName: `${functionName}-fn`,
      service: 'lambda.amazonaws.com',
      statements: [{ sid: 'WriteOwnLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logWriteArn(logs)] }, ...props.statements],
    });
    const entry = props.bundle.split('/').pop()!.replace(/\.m?js$/, '');
    this.fn = new LambdaFunction(this, 'function', {
      functionName,
      role: this.role.arn,
      filename: this.asset.path,
      sourceCodeHash: this.asset.assetHash,
      handler: `${entry}.handler`,
      runtime: config.lambdaRuntime,
      architectures: [config.lambdaArchitecture],
      memorySize: config.lambdaMemoryMb,
      timeout: props.timeoutSeconds ?? 10,
      environment: { variables: props.environment },
      loggingConfig: { logFormat: 'Text', logGroup: logs.name },
      dependsOn: [logs, this.role.policy],
    });
  }
}
