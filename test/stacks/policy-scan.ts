import { WILDCARD_REASONS_KEY } from '../../stacks/constructs/service-role.ts';
import type { TfJson } from './synth-helper.ts';

/** Resource types whose attribute holds an IAM policy document (JSON string). */
const POLICY_ATTRIBUTES: Record<string, string[]> = {
  aws_iam_role_policy: ['policy'],
  aws_iam_policy: ['policy'],
  aws_iam_role: ['assume_role_policy'],
  aws_sns_topic_policy: ['policy'],
  aws_sqs_queue_policy: ['policy'],
  aws_ecr_repository_policy: ['policy'],
};

/** Policies the scan cannot read (managed policies live outside the plan), so they are refused outright. */
const UNSCANNABLE = ['aws_iam_role_policy_attachment', 'aws_iam_policy_attachment', 'aws_iam_role_policies_exclusive'];

/** A reason must say something: a bare "needed" is not an explanation. */
export const MIN_REASON_LENGTH = 30;

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/**
 * Every way a synthesized stack breaks least privilege: a wildcard in an action, NotAction or
 * NotResource, a `"*"` resource whose statement has no reason recorded under the policy resource's
 * `"//".wildcardResources[Sid]`, managed policy attachments, inline policies on a role, or a Lambda
 * permission open to any caller.
 */
export function scanPolicies(stackName: string, stack: TfJson): string[] {
  const problems: string[] = [];
  for (const type of UNSCANNABLE) {
    for (const id of Object.keys(stack.resource[type] ?? {})) problems.push(`${stackName}: ${type}.${id} attaches a policy the scan cannot read`);
  }
  for (const [id, role] of Object.entries(stack.resource['aws_iam_role'] ?? {})) {
    if (role['managed_policy_arns'] !== undefined || role['inline_policy'] !== undefined) {
      problems.push(`${stackName}: aws_iam_role.${id} uses managed_policy_arns/inline_policy; use aws_iam_role_policy`);
    }
  }
  for (const [id, permission] of Object.entries(stack.resource['aws_lambda_permission'] ?? {})) {
    if (permission['principal'] === '*' || typeof permission['source_arn'] !== 'string') {
      problems.push(`${stackName}: aws_lambda_permission.${id} must name one principal and a source ARN`);
    }
  }
  for (const [type, attributes] of Object.entries(POLICY_ATTRIBUTES)) {
    for (const [id, resource] of Object.entries(stack.resource[type] ?? {})) {
      const where = `${stackName}: ${type}.${id}`;
      const reasons = ((resource['//'] as Record<string, unknown> | undefined)?.[WILDCARD_REASONS_KEY] ?? {}) as Record<string, unknown>;
      for (const attribute of attributes) {
        const text = resource[attribute];
        if (typeof text !== 'string') {
          problems.push(`${where}.${attribute} is not a JSON string the scan can read`);
          continue;
        }
        const document = JSON.parse(text) as { Statement?: unknown };
        for (const statement of asList(document.Statement) as Record<string, unknown>[]) {
          const sid = typeof statement['Sid'] === 'string' ? statement['Sid'] : '(no Sid)';
          if (statement['NotAction'] !== undefined || statement['NotResource'] !== undefined) {
            problems.push(`${where} statement ${sid} uses NotAction/NotResource`);
          }
          for (const action of asList(statement['Action'])) {
            if (typeof action !== 'string' || action.includes('*')) problems.push(`${where} statement ${sid} has wildcard action ${JSON.stringify(action)}`);
          }
          // A role's trust policy names the service that assumes it; the source condition applies to resource policies.
          problems.push(...openPrincipalProblems(`${where} statement ${sid}`, statement, { trustPolicy: type === 'aws_iam_role' }));
          if (asList(statement['Resource']).includes('*')) {
            const reason = reasons[sid];
            if (typeof reason !== 'string' || reason.trim().length < MIN_REASON_LENGTH) {
              problems.push(`${where} statement ${sid} has resource "*" without a recorded reason`);
            }
          }
        }
      }
    }
  }
  return problems;
}

/**
 * A resource policy statement that lets anyone in (`Principal: "*"` or `{ AWS: "*" }`) with no
 * condition, or (in a resource policy) a service principal with no `aws:SourceArn`/`aws:SourceAccount`
 * condition (any account's topic could then send).
 */
export function openPrincipalProblems(where: string, statement: Record<string, unknown>, options: { trustPolicy?: boolean } = {}): string[] {
  const principal = statement['Principal'];
  if (principal === undefined || statement['Effect'] === 'Deny') return [];
  const condition = (statement['Condition'] ?? {}) as Record<string, Record<string, unknown>>;
  const conditionKeys = Object.values(condition).flatMap((c) => Object.keys(c ?? {}));
  const principals = typeof principal === 'string' ? { '*': [principal] } : (principal as Record<string, unknown>);
  const anyone = Object.entries(principals).some(([kind, value]) => (kind === '*' || kind === 'AWS') && asList(value).includes('*'));
  if (anyone && conditionKeys.length === 0) return [`${where} lets any principal in without a condition`];
  if (!options.trustPolicy && 'Service' in principals && !conditionKeys.some((k) => k === 'aws:SourceArn' || k === 'aws:SourceAccount')) {
    return [`${where} lets a service principal in without an aws:SourceArn condition`];
  }
  return [];
}
