import { randomUUID } from 'node:crypto';
import { GetItemCommand, QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ExecutionError, ExecutionTimeoutError, StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { KitError } from '../../lib/errors.ts';

/**
 * A local Express state machine answering StartSyncExecution: the real ASL definition run by
 * aws-local-stepfunctions, its `aws-sdk:dynamodb:*` Task states answered by the real SDK call through
 * the DynamoDB client passed in (the library would otherwise invoke every Task as a Lambda).
 */

// aws-local-stepfunctions 3 calls Promise.withResolvers (Node 22+) in every Task; without it each Task
// throws a TypeError that the state machine routes to Catch like any task failure.
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };
const promiseStatics = Promise as unknown as { withResolvers?: WithResolvers };
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = <T>() => {
    let resolve!: (value: T) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export class UnsupportedTaskResourceError extends KitError {
  constructor(stateName: string, resource: string) {
    super('SFN_UNSUPPORTED_RESOURCE', `Task state "${stateName}" uses ${resource}, which the local Step Functions cannot run; supported: ${Object.keys(DYNAMODB_ACTIONS).map((a) => `arn:aws:states:::aws-sdk:dynamodb:${a}`).join(', ')}`, {
      context: { stateName, resource },
    });
  }
}

type SdkAction = (client: DynamoDBClient, parameters: never, signal?: AbortSignal) => Promise<{ $metadata?: unknown }>;
const DYNAMODB_ACTIONS: Record<string, SdkAction> = {
  query: (client, parameters, signal) => client.send(new QueryCommand(parameters), signal ? { abortSignal: signal } : {}),
  getItem: (client, parameters, signal) => client.send(new GetItemCommand(parameters), signal ? { abortSignal: signal } : {}),
};

const SDK_RESOURCE = /^arn:aws:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/;

interface AslState {
  Type: string;
  Resource?: string;
  ItemProcessor?: { States: Record<string, AslState> };
  Iterator?: { States: Record<string, AslState> };
  Branches?: { States: Record<string, AslState> }[];
}

function* taskStates(states: Record<string, AslState>): Generator<[string, AslState]> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === 'Task') yield [name, state];
    const nested = state.ItemProcessor ?? state.Iterator;
    if (nested) yield* taskStates(nested.States);
    for (const branch of state.Branches ?? []) yield* taskStates(branch.States);
  }
}

/** StartSyncExecution refused the request (HTTP 400 from the Step Functions API). */
export class StartSyncExecutionRequestError extends KitError {
  readonly statusCode = 400;
  constructor(type: 'InvalidExecutionInput' | 'StateMachineDoesNotExist', message: string) {
    super(type, message);
  }
}

/** What the SDK integration raises in the execution for a failed call, e.g. `DynamoDb.ValidationException`. */
class SdkTaskError extends Error {
  constructor(service: string, cause: unknown) {
    const name = cause instanceof Error ? cause.name : 'UnknownError';
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = `${service}.${name}`;
  }
}

/** The answer of StartSyncExecution (fields as the Step Functions API returns them). */
export interface StartSyncExecutionOutput {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  startDate: number;
  stopDate: number;
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  error?: string;
  cause?: string;
  input: string;
  inputDetails: { included: boolean };
  output?: string;
  outputDetails?: { included: boolean };
  billingDetails: { billedMemoryUsedInMB: number; billedDurationInMilliseconds: number };
}

export interface LocalExpressStateMachineOptions {
  /** The parsed ASL definition (the file the stack deploys). */
  definition: object;
  /** The ARN callers pass as `stateMachineArn`. */
  arn: string;
  dynamodb: DynamoDBClient;
}

export interface LocalExpressStateMachine {
  readonly arn: string;
  /**
   * StartSyncExecution: `input` is the execution input as a JSON string. Never throws for a failed
   * execution; `signal` aborts it (between states), and then the call rejects.
   */
  startSyncExecution(request: { input: string; name?: string; signal?: AbortSignal }): Promise<StartSyncExecutionOutput>;
}

/** Builds the state machine once (validation takes ~300 ms); executions are independent. */
export function createLocalExpressStateMachine(options: LocalExpressStateMachineOptions): LocalExpressStateMachine {
  const definition = options.definition as StateMachineDefinition & { States: Record<string, AslState> };
  const machine = new StateMachine(definition);
  type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
  const tasks: [string, SdkAction][] = [];
  for (const [stateName, state] of taskStates(definition.States)) {
    const match = SDK_RESOURCE.exec(state.Resource ?? '');
    const action = match?.[1] === 'dynamodb' ? DYNAMODB_ACTIONS[match[2]!] : undefined;
    if (!action) throw new UnsupportedTaskResourceError(stateName, state.Resource ?? '(none)');
    tasks.push([stateName, action]);
  }
  /** The Task overrides of one execution: its SDK calls stop when the execution is aborted. */
  const taskHandlersFor = (signal?: AbortSignal): TaskHandlers =>
    Object.fromEntries(
      tasks.map(([stateName, action]) => [
        stateName,
        async (parameters: unknown) => {
          try {
            const { $metadata: _metadata, ...result } = await action(options.dynamodb, parameters as never, signal);
            return result as never;
          } catch (error) {
            throw new SdkTaskError('DynamoDb', error);
          }
        },
      ]),
    );
  const arnParts = options.arn.split(':');
  const executionArnPrefix = `${arnParts.slice(0, 5).join(':')}:express:${arnParts[6] ?? 'local'}`;

  return {
    arn: options.arn,
    async startSyncExecution({ input, name = randomUUID(), signal }) {
      const startDate = Date.now();
      const base = {
        executionArn: `${executionArnPrefix}:${name}:${randomUUID()}`,
        stateMachineArn: options.arn,
        name,
        input,
        inputDetails: { included: true },
      };
      const finish = (fields: Pick<StartSyncExecutionOutput, 'status' | 'output' | 'outputDetails' | 'error' | 'cause'>): StartSyncExecutionOutput => {
        const stopDate = Date.now();
        return {
          ...base,
          ...fields,
          startDate: startDate / 1000,
          stopDate: stopDate / 1000,
          billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil((stopDate - startDate) / 100) * 100) },
        };
      };
      let parsedInput: unknown;
      try {
        parsedInput = JSON.parse(input);
      } catch (error) {
        throw new StartSyncExecutionRequestError('InvalidExecutionInput', `execution input is not JSON: ${String(error)}`);
      }
      try {
        const execution = machine.run(parsedInput as never, { overrides: { taskResourceLocalHandlers: taskHandlersFor(signal) } });
        signal?.addEventListener('abort', () => execution.abort(), { once: true });
        const result = await execution.result;
        return finish({ status: 'SUCCEEDED', output: JSON.stringify(result), outputDetails: { included: true } });
      } catch (error) {
        if (error instanceof ExecutionTimeoutError) return finish({ status: 'TIMED_OUT', error: 'States.Timeout', cause: error.message });
        if (error instanceof ExecutionError) {
          const cause = error.cause instanceof Error ? error.cause : undefined;
          return finish({ status: 'FAILED', error: cause?.name ?? 'States.Runtime', cause: cause?.message ?? error.message });
        }
        throw error;
      }
    },
  };
}
