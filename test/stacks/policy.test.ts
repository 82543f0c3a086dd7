import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { App, TerraformStack } from 'cdktf';
import { ServiceRole, assertLeastPrivilege } from '../../stacks/constructs/service-role.ts';
import { consumerCreateQueueInputs } from './consumer-queues.ts';
import { openPrincipalProblems, scanPolicies } from './policy-scan.ts';
import { ref, roleStatements, synthAll, type Synthesized, type TfJson } from './synth-helper.ts';

const policyStack = (policy: object, reasons?: Record<string, string>): TfJson => ({
  resource: {
    aws_iam_role_policy: {
      p: { ...(reasons ? { '//': { wildcardResources: reasons } } : {}), policy: JSON.stringify(policy), role: 'r' },
    },
  },
  output: {},
});
const doc = (statement: object) => ({ Version: '2012-10-17', Statement: [statement] });

describe('policy scan (least privilege)', () => {
  let synth: Synthesized;
  before(() => {
    // Both processor variants: the pipe variant has its own role.
    synth = synthAll({ processorKind: 'pipe' });
  });
  after(() => synth?.cleanup());

  it('finds no wildcard action and no unexplained "*" resource in any stack (default config)', () => {
    const lambdaVariant = synthAll();
    try {
      for (const [name, stack] of Object.entries(lambdaVariant.stacks)) assert.deepEqual(scanPolicies(name, stack), [], name);
    } finally {
      lambdaVariant.cleanup();
    }
  });

  it('finds nothing in the pipe variant of the fanout stack either', () => {
    assert.deepEqual(scanPolicies('fanout', synth.stacks.fanout), []);
    assert.ok(roleStatements(synth.stacks.fanout, 'sst-fanout-pipe').some((s) => s.Action.includes('sns:Publish')));
  });

  it('every "*" resource in the plan carries its reason next to the policy', () => {
    const explained = Object.values(synth.stacks)
      .flatMap((stack) => Object.values(stack.resource['aws_iam_role_policy'] ?? {}))
      .filter((p) => JSON.parse(p['policy'] as string).Statement.some((s: { Resource: string[] }) => s.Resource.includes('*')));
    assert.ok(explained.length >= 3, 'ECR token, log delivery and ListStreams statements are expected');
    for (const p of explained) assert.ok((p['//'] as { wildcardResources?: object }).wildcardResources);
  });

  it('encrypts every topic and queue and gives every log group a retention, in every stack and variant', async () => {
    const lambdaVariant = synthAll();
    try {
      const checked = { topics: 0, queues: 0, consumerQueues: 0 };
      for (const [name, stack] of [...Object.entries(synth.stacks), ...Object.entries(lambdaVariant.stacks)]) {
        for (const topic of Object.values(stack.resource['aws_sns_topic'] ?? {})) {
          assert.ok(topic['kms_master_key_id'], `${name}: topic ${topic['name']}`);
          checked.topics += 1;
        }
        for (const queue of Object.values(stack.resource['aws_sqs_queue'] ?? {})) {
          assert.ok(queue['sqs_managed_sse_enabled'] === true || queue['kms_master_key_id'], `${name}: queue ${queue['name']}`);
          checked.queues += 1;
        }
        // The consumers' queues are created by the tasks, not planned: check what a task would send.
        for (const queue of await consumerCreateQueueInputs(stack)) {
          assert.ok(queue.Attributes['SqsManagedSseEnabled'] === 'true' || queue.Attributes['KmsMasterKeyId'], `${name}: consumer queue ${queue.QueueName}`);
          checked.consumerQueues += 1;
        }
        for (const group of Object.values(stack.resource['aws_cloudwatch_log_group'] ?? {})) {
          assert.ok(Number(group['retention_in_days']) > 0, `${name}: log group ${group['name']}`);
        }
      }
      // Both variants' fan-out stacks: a topic and a receipts queue each, and a queue + DLQ per consumer task.
      assert.equal(checked.topics, 2, JSON.stringify(checked));
      assert.equal(checked.queues, 2, JSON.stringify(checked));
      assert.equal(checked.consumerQueues, 4, JSON.stringify(checked));
    } finally {
      lambdaVariant.cleanup();
    }
  });

  it("the consumers' queue policies let only the fan-out topic send: SNS service principal with aws:SourceArn", async () => {
    for (const stack of [synth.stacks.fanout]) {
      const queues = await consumerCreateQueueInputs(stack);
      const withPolicy = queues.filter((q) => q.Attributes['Policy'] !== undefined);
      assert.equal(withPolicy.length, 1, 'the task queue has a policy; its DLQ takes only redriven messages');
      const { Statement } = JSON.parse(withPolicy[0]!.Attributes['Policy']!) as { Statement: Record<string, unknown>[] };
      for (const statement of Statement) {
        assert.deepEqual(openPrincipalProblems(withPolicy[0]!.QueueName, statement), []);
        assert.deepEqual(statement['Principal'], { Service: 'sns.amazonaws.com' });
        assert.deepEqual(statement['Condition'], { ArnEquals: { 'aws:SourceArn': ref(stack, 'aws_sns_topic', 'arn') } });
      }
    }
  });

  it('flags a resource policy open to any principal, or to a service without a source condition', () => {
    const statement = { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:q' };
    assert.match(openPrincipalProblems('q', { ...statement, Principal: '*' }).join(), /any principal/);
    assert.match(openPrincipalProblems('q', { ...statement, Principal: { AWS: '*' } }).join(), /any principal/);
    assert.match(openPrincipalProblems('q', { ...statement, Principal: { Service: 'sns.amazonaws.com' } }).join(), /aws:SourceArn/);
    assert.deepEqual(openPrincipalProblems('q', { ...statement, Principal: { Service: 'sns.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': 'arn:t' } } }), []);
    assert.equal(scanPolicies('t', { resource: { aws_sqs_queue_policy: { p: { policy: JSON.stringify(doc({ Sid: 'A', ...statement, Principal: '*' })) } } }, output: {} }).length, 1);
  });

  it('flags a wildcard action, a service-wide action, NotAction and an unexplained "*" resource', () => {
    assert.equal(scanPolicies('t', policyStack(doc({ Sid: 'A', Effect: 'Allow', Action: '*', Resource: 'arn:x' }))).length, 1);
    assert.equal(scanPolicies('t', policyStack(doc({ Sid: 'A', Effect: 'Allow', Action: ['s3:Get*'], Resource: 'arn:x' }))).length, 1);
    assert.equal(scanPolicies('t', policyStack(doc({ Sid: 'A', Effect: 'Allow', NotAction: ['s3:GetObject'], Resource: 'arn:x' }))).length, 1);
    assert.equal(scanPolicies('t', policyStack(doc({ Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }))).length, 1);
    assert.equal(scanPolicies('t', policyStack(doc({ Sid: 'A', Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }), { A: 'needed' })).length, 1);
  });

  it('accepts a "*" resource whose reason is recorded under its Sid, and only under its Sid', () => {
    const reason = 'this action has no resource type in the service authorization reference';
    assert.deepEqual(scanPolicies('t', policyStack(doc({ Sid: 'A', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] }), { A: reason })), []);
    assert.equal(scanPolicies('t', policyStack(doc({ Sid: 'B', Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] }), { A: reason })).length, 1);
  });

  it('refuses managed policy attachments and Lambda permissions without a source ARN', () => {
    const stack: TfJson = {
      resource: {
        aws_iam_role_policy_attachment: { a: { role: 'r', policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } },
        aws_lambda_permission: { p: { principal: 'apigateway.amazonaws.com', action: 'lambda:InvokeFunction' } },
      },
      output: {},
    };
    assert.equal(scanPolicies('t', stack).length, 2);
  });

  it('the ServiceRole construct refuses a wildcard action or an unexplained "*" at synth time', () => {
    assert.throws(() => assertLeastPrivilege([{ sid: 'A', actions: ['sqs:*'], resources: ['arn:x'] }], 'r'), /wildcard/);
    assert.throws(() => assertLeastPrivilege([{ sid: 'A', actions: ['sqs:SendMessage'], resources: ['*'] }], 'r'), /needs wildcardResourceReason/);
    assert.throws(() => assertLeastPrivilege([{ sid: 'A', actions: ['sqs:SendMessage'], resources: ['arn:x'], wildcardResourceReason: 'old' }], 'r'), /stale/);
    const stack = new TerraformStack(new App({ outdir: synth.outdir }), 's');
    assert.throws(() => new ServiceRole(stack, 'r', { roleName: 'r', service: 'lambda.amazonaws.com', statements: [{ sid: 'X', actions: ['*'], resources: ['*'] }] }), /wildcard/);
  });
});
