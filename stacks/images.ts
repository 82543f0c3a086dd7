import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy/index.js';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository/index.js';
import { TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { StackConfig } from './config.ts';
import { CONTAINER_IMAGES, repositoryName, type ContainerImageName } from './constructs/container-image.ts';
import { awsProvider } from './provider.ts';

export const IMAGES_STACK = 'images';

/**
 * The ECR repositories of both container images. Deployed first, on its own: App Runner and the
 * Fargate service can only be created once an image has been pushed here.
 */
export class ImagesStack extends TerraformStack {
  readonly repositories: Record<ContainerImageName, EcrRepository>;

  constructor(scope: Construct, id: string, config: StackConfig) {
    super(scope, id);
    awsProvider(this, config.region, id);
    const names = Object.keys(CONTAINER_IMAGES) as ContainerImageName[];
    this.repositories = Object.fromEntries(
      names.map((image) => {
        const repository = new EcrRepository(this, `${image}-repository`, {
          name: repositoryName(config.namePrefix, image),
          imageTagMutability: 'MUTABLE',
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: [{ encryptionType: 'AES256' }],
          // `cdktf destroy` removes the repository even when images are left in it.
          forceDelete: true,
        });
        new EcrLifecyclePolicy(this, `${image}-lifecycle`, {
          repository: repository.name,
          policy: JSON.stringify({
            rules: [{ rulePriority: 1, description: 'keep the last 10 images', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } }],
          }),
        });
        new TerraformOutput(this, `${image}RepositoryUrl`, { value: repository.repositoryUrl });
        return [image, repository];
      }),
    ) as Record<ContainerImageName, EcrRepository>;
    new TerraformOutput(this, 'region', { value: config.region });
  }
}
