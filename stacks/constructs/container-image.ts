import { DataAwsEcrImage } from '@cdktf/provider-aws/lib/data-aws-ecr-image/index.js';
import { DataAwsEcrRepository } from '@cdktf/provider-aws/lib/data-aws-ecr-repository/index.js';
import { Construct } from 'constructs';
import { BUNDLE_OUTFILES } from '../../scripts/bundles.ts';

/** The two container images: which Dockerfile builds which bundle, and where they are pushed. */
export const CONTAINER_IMAGES = {
  apprunnerSvc: { repository: 'apprunner-svc', dockerfile: 'apprunner-svc/Dockerfile', bundle: BUNDLE_OUTFILES.apprunnerSvc },
  fargateConsumer: { repository: 'fargate-consumer', dockerfile: 'fargate-consumer/Dockerfile', bundle: BUNDLE_OUTFILES.fargateConsumer },
} as const;
export type ContainerImageName = keyof typeof CONTAINER_IMAGES;

/** App Runner runs only x86-64 images; the Fargate task uses the same platform so one build command serves both. */
export const IMAGE_PLATFORM = 'linux/amd64';

export function repositoryName(namePrefix: string, image: ContainerImageName): string {
  return `${namePrefix}-${CONTAINER_IMAGES[image].repository}`;
}

/**
 * An image already pushed to the `images` stack's repository. Looking it up by tag makes the plan
 * fail early, naming the repository and tag, when the push step was skipped; running it by digest
 * makes a new push under the same tag redeploy the service.
 */
export class PushedImage extends Construct {
  readonly repository: DataAwsEcrRepository;
  readonly image: DataAwsEcrImage;

  constructor(scope: Construct, id: string, props: { namePrefix: string; image: ContainerImageName; tag: string }) {
    super(scope, id);
    const name = repositoryName(props.namePrefix, props.image);
    this.repository = new DataAwsEcrRepository(this, 'repository', { name });
    this.image = new DataAwsEcrImage(this, 'image', { repositoryName: name, imageTag: props.tag });
  }

  /** `<repository url>@sha256:...` */
  get uri(): string {
    return `${this.repository.repositoryUrl}@${this.image.imageDigest}`;
  }

  get repositoryArn(): string {
    return this.repository.arn;
  }
}
