import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { Construct } from 'constructs';
import { ConfigError } from '../../lib/errors.ts';

/** One IAM statement: named actions on named resources. */
export interface Statement {
  /** Alphanumeric statement id; the plan records wildcard explanations under it. */
  sid: string;
  actions: readonly string[];
  resources: readonly string[];
  /** Required when `resources` holds "*": why AWS offers nothing narrower. Written into the plan. */
  wildcardResourceReason?: string;
}

/**
 * Where a `"*"` resource is explained: each policy resource carries, in Terraform JSON's comment key
 * `"//"`, a map from statement id to reason. Terraform ignores it; the policy scan test reads it.
 */
export const WILDCARD_REASONS_KEY = 'wildcardResources';

/** Reasons shared by several roles, so the same explanation reads the same everywhere. */
export const WHY_WILDCARD = {
  ecrAuthToken: 'ecr:GetAuthorizationToken is account-wide: AWS defines no resource type for it, so it only accepts "*".',
  logDelivery:
    'CloudWatch Logs vended-log delivery actions (CreateLogDelivery and friends) support no resource-level permissions; AWS documents "*" as the only resource.',
  listStreams: 'dynamodb:ListStreams lists every stream in the account and region; AWS defines no resource type for it, so it only accepts "*".',
} as const;

export function assertLeastPrivilege(statements: readonly Statement[], where: string): void {
  for (const s of statements) {
    if (!/^[A-Za-z0-9]+$/.test(s.sid)) throw new ConfigError(`${where}: statement id "${s.sid}" must be alphanumeric.`);
    const wildAction = s.actions.find((a) => a.includes('*'));
    if (wildAction) throw new ConfigError(`${where}/${s.sid}: action "${wildAction}" is a wildcard; name each action.`);
    const wildResource = s.resources.includes('*');
    if (wildResource && !s.wildcardResourceReason?.trim()) {
      throw new ConfigError(`${where}/${s.sid}: resource "*" needs wildcardResourceReason saying why nothing narrower exists.`);
    }
    if (!wildResource && s.wildcardResourceReason) {
      throw new ConfigError(`${where}/${s.sid}: wildcardResourceReason given but no "*" resource; remove the stale reason.`);
    }
  }
}

export function policyDocument(statements: readonly Statement[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: statements.map((s) => ({ Sid: s.sid, Effect: 'Allow', Action: [...s.actions], Resource: [...s.resources] })),
  });
}

export interface ServiceRoleProps {
  roleName: string;
  /** Service principal allowed to assume the role, e.g. "lambda.amazonaws.com". */
  service: string;
  statements: readonly Statement[];
}

/** A role one AWS service assumes, with one inline policy of explicit statements. */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    assertLeastPrivilege(props.statements, props.roleName);
    this.role = new IamRole(this, 'role', {
      name: props.roleName,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: props.service }, Action: 'sts:AssumeRole' }],
      }),
    });
    this.policy = new IamRolePolicy(this, 'policy', {
      name: `${props.roleName}-policy`,
      role: this.role.id,
      policy: policyDocument(props.statements),
    });
    const reasons = Object.fromEntries(props.statements.filter((s) => s.wildcardResourceReason).map((s) => [s.sid, s.wildcardResourceReason]));
    if (Object.keys(reasons).length > 0) this.policy.addOverride(`//.${WILDCARD_REASONS_KEY}`, reasons);
  }

  get arn(): string {
    return this.role.arn;
  }
}
