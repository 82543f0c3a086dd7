import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { readFile } from 'node:fs/promises';
import { CONSUMER_DEFAULTS } from '../../fargate-consumer/config.ts';
import { ConfigError } from '../../lib/errors.ts';
import { DELIVERY_REQUIREMENT_MS } from '../../lib/fanout/constants.ts';
import { parseFanoutOutputs, type FanoutOutputs } from '../../lib/fanout/outputs.ts';
import { PIPE_INPUT_TEMPLATE } from '../../lib/fanout/pipe-template.ts';
import type { FaultKind } from './faults.ts';
import { EcsFleetControl, type FleetControl } from './fleet.ts';
import { reapFanoutOrphans, type ReapReport } from './reaper.ts';
import { executeFanoutRun, receiptsSource, type FanoutRunResult, type FanoutSettings } from './run-fanout.ts';
import { FANOUT_SCENARIOS, type FanoutScenario } from './scenarios.ts';

export interface AwsFanoutRunOptions {
  name: FanoutScenario['name'];
  outputsFile: string;
  iterations?: number;
  intervalMs?: number;
  /** Must match the deployed processor when given (the stack setting processorKind decides on AWS). */
  processor?: 'lambda' | 'pipe';
  faults?: FaultKind[];
  resultsDir: string;
  log: (line: string) => void;
  settleTimeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * The AWS SDK clients and the fleet the AWS run uses. Injected by tests (clients pointed at the local
 * stage's fauxqs, the local fleet); by default made from the outputs' region and the standard
 * credential chain.
 */
export interface AwsFanoutDeps {
  sqs: SQSClient;
  sns: SNSClient;
  cloudwatch?: CloudWatchClient;
  fleet: FleetControl;
  /** Of these owner tags, the ones still running (default: DescribeTasks on the outputs' cluster). */
  aliveOwners: (owners: readonly string[]) => Promise<Set<string>>;
  /** Long-poll wait of the receipts loops (default 20). */
  receiveWaitTimeS?: number;
}

export function defaultAwsFanoutDeps(outputs: FanoutOutputs): AwsFanoutDeps {
  const region = outputs.region;
  const ecs = new ECSClient({ region });
  const fleet = new EcsFleetControl(ecs, outputs.clusterName, outputs.serviceName);
  return {
    sqs: new SQSClient({ region }),
    sns: new SNSClient({ region }),
    cloudwatch: new CloudWatchClient({ region }),
    fleet,
    aliveOwners: (owners) => fleet.aliveOwners(owners),
  };
}

export async function readFanoutOutputs(outputsFile: string): Promise<FanoutOutputs> {
  let text: string;
  try {
    text = await readFile(outputsFile, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the outputs file ${outputsFile}: ${(error as Error).message}. Write it with \`cdktf output fanout --outputs-file ${outputsFile} --outputs-file-include-sensitive-outputs\`.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${outputsFile} is not JSON: ${(error as Error).message}`);
  }
  return parseFanoutOutputs(json, outputsFile);
}

/**
 * `--scenario fanout | fanout-quick --stage aws`: reap the orphans of tasks that died without SIGTERM,
 * then drive AppSync mutations against the deployed API (URL and API key from the outputs), collect
 * every delivery from every task through the receipts queue, inject the requested faults through ECS,
 * and write the same files as the local stage under <resultsDir>/aws/<run-id>/.
 */
export async function runFanoutOnAws(options: AwsFanoutRunOptions, injected?: (outputs: FanoutOutputs) => AwsFanoutDeps): Promise<FanoutRunResult> {
  const outputs = await readFanoutOutputs(options.outputsFile);
  if (options.processor !== undefined && options.processor !== outputs.processorKind) {
    throw new ConfigError(
      `--processor ${options.processor} does not match the deployment, which runs the ${outputs.processorKind} processor; redeploy with SST_PROCESSOR_KIND=${options.processor} or drop --processor.`,
    );
  }
  const deps = injected ? injected(outputs) : defaultAwsFanoutDeps(outputs);
  const reaped: ReapReport = await reapFanoutOrphans({
    sqs: deps.sqs,
    ...(deps.cloudwatch ? { cloudwatch: deps.cloudwatch } : {}),
    namePrefix: outputs.namePrefix,
    aliveOwners: deps.aliveOwners,
    log: options.log,
  });
  const preset = FANOUT_SCENARIOS[options.name];
  const tasks = await deps.fleet.desiredCount();
  const settings: FanoutSettings = {
    tasks,
    iterations: options.iterations ?? preset.iterations,
    intervalMs: options.intervalMs ?? preset.intervalMs,
    requirementMs: DELIVERY_REQUIREMENT_MS,
    faults: [...(options.faults ?? [])],
    consumer: { waitTimeS: CONSUMER_DEFAULTS.waitTimeS, batchSize: CONSUMER_DEFAULTS.batchSize, maxReceives: outputs.config['dlqMaxReceiveCount'] ?? CONSUMER_DEFAULTS.maxReceives, visibilityTimeoutS: CONSUMER_DEFAULTS.visibilityTimeoutS },
    streamProcessor:
      outputs.processorKind === 'pipe'
        ? { kind: 'pipe', batchSize: 1, maximumRetryAttempts: 10, inputTemplate: PIPE_INPUT_TEMPLATE }
        : { kind: 'lambda', batchSize: 10, parallelizationFactor: 1, reportBatchItemFailures: true },
    deployment: { region: outputs.region, namePrefix: outputs.namePrefix, cluster: outputs.clusterName, service: outputs.serviceName, config: outputs.config },
  };
  options.log(`${options.name} on AWS (${outputs.region}, ${outputs.namePrefix}): ${tasks} tasks, ${outputs.processorKind} processor`);
  const source = receiptsSource({
    stage: 'aws',
    stateId: 'current',
    graphqlUrl: outputs.graphqlUrl,
    graphqlHeaders: { 'x-api-key': outputs.graphqlApiKey },
    namePrefix: outputs.namePrefix,
    topicArn: outputs.topicArn,
    receiptsQueueUrl: outputs.receiptsQueueUrl,
    sqs: deps.sqs,
    sns: deps.sns,
    fleet: deps.fleet,
    log: options.log,
    ...(deps.receiveWaitTimeS !== undefined ? { receiveWaitTimeS: deps.receiveWaitTimeS } : {}),
  });
  return executeFanoutRun(source, {
    name: options.name,
    settings,
    resultsDir: options.resultsDir,
    faults: options.faults ?? [],
    log: options.log,
    settleTimeoutMs: options.settleTimeoutMs ?? 30_000,
    signal: options.signal,
    extra: { reaped: { deletedQueues: reaped.deletedQueues.length, deletedAlarms: reaped.deletedAlarms.length, keptDlqs: reaped.keptDlqs, untagged: reaped.untagged.length, errors: reaped.errors } },
  });
}
