import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { readTemplate, TEMPLATE_FILES } from '../../lib/api-gateway/routes.ts';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { breedPageQuery } from '../../lib/turkeys/query.ts';
import { toBreedPage } from '../../lib/turkeys/transform.ts';
import { createLocalExpressStateMachine, UnsupportedTaskResourceError } from '../../local-stage/stepfunctions/express-state-machine.ts';

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errorsText: (sep?: string) => string };

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:breed-page';
const definition = JSON.parse(readTemplate(TEMPLATE_FILES.sfnDefinition)) as { States: Record<string, Record<string, unknown>> };

/** A DynamoDB client double that records the commands it receives and answers with `answer()`. */
function fakeDynamo() {
  const double = {
    sent: [] as unknown[],
    answer: async (): Promise<unknown> => ({ Items: [], Count: 0, $metadata: {} }),
    client: {
      send: async (command: QueryCommand) => {
        double.sent.push(command.input);
        return double.answer();
      },
    } as unknown as DynamoDBClient,
  };
  return double;
}

// Building a state machine validates it (~300 ms): one for all executions, as the gateway does.
const dynamo = fakeDynamo();
const machine = createLocalExpressStateMachine({ definition, arn: ARN, dynamodb: dynamo.client });

describe('templates/sfn/breed-page.asl.json', () => {
  it('is valid ASL (asl-validator)', () => {
    const result = aslValidator(definition);
    assert.ok(result.isValid, result.errorsText('\n'));
  });

  it('uses JSONPath only: no JSONata, no Assign', () => {
    const text = readTemplate(TEMPLATE_FILES.sfnDefinition);
    assert.doesNotMatch(text, /JSONata|"Assign"|\{%/);
  });

  it('sends the same Query as breedPageQuery() and returns the BreedPage of lib/turkeys/transform.ts', async () => {
    const breed = "Bronzé d'Auvergne";
    const turkeys = generateTurkeys(600).filter((t) => t.breed === breed);
    assert.ok(turkeys.length > 3);
    dynamo.sent.length = 0;
    dynamo.answer = async () => ({ Items: turkeys.map((t) => marshall(t)), Count: turkeys.length, ScannedCount: turkeys.length, $metadata: {} });
    const result = await machine.startSyncExecution({ input: JSON.stringify({ tableName: 'turkeys-test', breed }) });
    assert.equal(result.status, 'SUCCEEDED', `${result.error}: ${result.cause}`);
    assert.deepEqual(dynamo.sent, [breedPageQuery('turkeys-test', breed)]);
    assert.deepEqual(JSON.parse(result.output!), toBreedPage(breed, turkeys));
    assert.match(result.executionArn, /^arn:aws:states:us-east-1:000000000000:express:breed-page:/);
  });

  it('answers count 0 for an unknown breed', async () => {
    dynamo.answer = async () => ({ Items: [], Count: 0, $metadata: {} });
    const result = await machine.startSyncExecution({ input: JSON.stringify({ tableName: 't', breed: 'Dodo' }) });
    assert.deepEqual(JSON.parse(result.output!), { breed: 'Dodo', count: 0, turkeys: [] });
  });

  it('a failing DynamoDB call fails the execution (status FAILED, SDK error name), it does not throw', async () => {
    const failure = Object.assign(new Error('Requested resource not found'), { name: 'ResourceNotFoundException' });
    dynamo.answer = async () => Promise.reject(failure);
    const result = await machine.startSyncExecution({ input: JSON.stringify({ tableName: 'missing', breed: 'Auburn' }) });
    assert.equal(result.status, 'FAILED');
    assert.equal(result.error, 'DynamoDb.ResourceNotFoundException');
    assert.equal(result.output, undefined);
  });

  it('refuses a Task resource it cannot run locally', () => {
    const lambdaTask = { StartAt: 'L', States: { L: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:000000000000:function:f', End: true } } };
    assert.throws(
      () => createLocalExpressStateMachine({ definition: lambdaTask, arn: ARN, dynamodb: fakeDynamo().client }),
      UnsupportedTaskResourceError,
    );
  });
});
