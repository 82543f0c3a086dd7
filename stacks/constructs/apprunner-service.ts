import { ApprunnerAutoScalingConfigurationVersion } from '@cdktf/provider-aws/lib/apprunner-auto-scaling-configuration-version/index.js';
import { ApprunnerService } from '@cdktf/provider-aws/lib/apprunner-service/index.js';
import { DataResource } from 'cdktf';
import { Construct } from 'constructs';
import type { StackConfig } from '../config.ts';
import { PushedImage } from './container-image.ts';
import { ServiceRole, WHY_WILDCARD, type Statement } from './service-role.ts';

export interface AppRunnerServiceProps {
  serviceName: string;
  config: Pick<StackConfig, 'namePrefix' | 'imageTag' | 'apprunnerCpu' | 'apprunnerMemory' | 'apprunnerMaxConcurrency' | 'apprunnerMinSize' | 'apprunnerMaxSize'>;
  environment: Record<string, string>;
  /** What the running container may do (its instance role). */
  statements: readonly Statement[];
}

/**
 * Seconds the apply waits between creating the App Runner roles and creating the service. IAM is
 * eventually consistent: a role App Runner is asked to assume seconds after its creation may not be
 * assumable yet, and the provider does not retry "InvalidRequestException: Error in assuming access
 * role" (pulumi/pulumi-aws#1697, #2411; hashicorp/terraform-provider-aws#19484 "Error in assuming
 * instance role"). `time_sleep` (hashicorp/time) would be the usual answer, but only hashicorp/aws is
 * pinned and mirrored; Terraform's built-in `terraform_data` with a local `sleep` does the same. If the
 * first apply still fails with that error, running the same apply again succeeds (docs/deploy.md).
 */
export const IAM_PROPAGATION_WAIT_SECONDS = 15;

/** The Express service container on App Runner: size, concurrency and scaling from the stack config. */
export class AppRunnerService extends Construct {
  readonly service: ApprunnerService;
  readonly scaling: ApprunnerAutoScalingConfigurationVersion;

  constructor(scope: Construct, id: string, props: AppRunnerServiceProps) {
    super(scope, id);
    const { config, serviceName } = props;
    const image = new PushedImage(this, 'image', { namePrefix: config.namePrefix, image: 'apprunnerSvc', tag: config.imageTag });
    const access = new ServiceRole(this, 'access-role', {
      roleName: `${serviceName}-ecr-access`,
      service: 'build.apprunner.amazonaws.com',
      statements: [
        { sid: 'EcrToken', actions: ['ecr:GetAuthorizationToken'], resources: ['*'], wildcardResourceReason: WHY_WILDCARD.ecrAuthToken },
        {
          sid: 'PullServiceImage',
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:GetDownloadUrlForLayer'],
          resources: [image.repositoryArn],
        },
      ],
    });
    const instance = new ServiceRole(this, 'instance-role', {
      roleName: `${serviceName}-instance`,
      service: 'tasks.apprunner.amazonaws.com',
      statements: props.statements,
    });
    // Re-created (and waited for again) whenever either role or its policy is replaced.
    const rolesSettled = new DataResource(this, 'wait-for-iam', {
      triggersReplace: { access: access.arn, accessPolicy: access.policy.id, instance: instance.arn, instancePolicy: instance.policy.id },
      dependsOn: [access.policy, instance.policy],
      provisioners: [{ type: 'local-exec', command: `sleep ${IAM_PROPAGATION_WAIT_SECONDS}` }],
    });
    this.scaling = new ApprunnerAutoScalingConfigurationVersion(this, 'scaling', {
      autoScalingConfigurationName: serviceName.slice(0, 32),
      maxConcurrency: config.apprunnerMaxConcurrency,
      minSize: config.apprunnerMinSize,
      maxSize: config.apprunnerMaxSize,
    });
    this.service = new ApprunnerService(this, 'service', {
      serviceName,
      autoScalingConfigurationArn: this.scaling.arn,
      instanceConfiguration: { cpu: config.apprunnerCpu, memory: config.apprunnerMemory, instanceRoleArn: instance.arn },
      healthCheckConfiguration: { protocol: 'HTTP', path: '/health', interval: 5, timeout: 2, healthyThreshold: 1, unhealthyThreshold: 3 },
      sourceConfiguration: {
        autoDeploymentsEnabled: false,
        authenticationConfiguration: { accessRoleArn: access.arn },
        imageRepository: {
          imageRepositoryType: 'ECR',
          imageIdentifier: image.uri,
          imageConfiguration: { port: '8080', runtimeEnvironmentVariables: { PORT: '8080', ...props.environment } },
        },
      },
      dependsOn: [access.policy, instance.policy, rolesSettled],
    });
  }

  get url(): string {
    return `https://${this.service.serviceUrl}`;
  }
}
