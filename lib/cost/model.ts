import { price, rule, type PriceTable } from './prices.ts';

/**
 * The cost model: pure functions from billed quantities to US dollars, each returning the part of the
 * bill it prices with the quantity and unit it billed. No free tier, no volume discounts beyond the
 * first tier, no data transfer. Callers say where each quantity came from (`source`) and whether it
 * was measured or estimated.
 */

export type CostService = 'apigateway' | 'stepfunctions' | 'lambda' | 'dynamodb' | 'apprunner' | 'fargate' | 'alb' | 'sns' | 'sqs' | 'pipes' | 'appsync';

export interface CostPart {
  service: CostService;
  /** What is billed, e.g. "REST API requests", "Express duration". */
  item: string;
  quantity: number;
  /** Unit of `quantity`: requests, GB-s, RRU, WRU, vCPU-h, GB-h, ALB-h, LCU-h, operations, publishes. */
  unit: string;
  usd: number;
  /** Where the quantity came from (headers, REPORT lines, metrics, an estimate and how). */
  source: string;
  /** True when the quantity is an estimate rather than a count or a figure AWS reported. */
  estimated: boolean;
}

const MB_PER_GB = 1024;

/** Rounds up to the next multiple of `step` (a step of 0 or less returns the value unchanged). */
export function roundUpTo(value: number, step: number): number {
  if (step <= 0) return value;
  return Math.ceil(value / step - 1e-9) * step;
}

// ---- API Gateway ---------------------------------------------------------------------------------

export function apiGatewayRestRequests(table: PriceTable, requests: number, source: string): CostPart {
  return {
    service: 'apigateway',
    item: 'REST API requests',
    quantity: requests,
    unit: 'requests',
    usd: (requests / 1e6) * price(table, 'apiGatewayRestRequestsPerMillion'),
    source,
    estimated: false,
  };
}

// ---- Step Functions Express ----------------------------------------------------------------------

/** The duration Express bills for one execution: rounded up to the next 100 ms (per the table). */
export function expressBilledDurationMs(table: PriceTable, durationMs: number): number {
  return Math.max(rule(table, 'stepFunctionsExpressDurationStepMs'), roundUpTo(durationMs, rule(table, 'stepFunctionsExpressDurationStepMs')));
}

/** The memory Express bills for one execution: rounded up to the next 64 MB. */
export function expressBilledMemoryMb(table: PriceTable, memoryMb: number): number {
  return Math.max(rule(table, 'stepFunctionsExpressMemoryStepMb'), roundUpTo(memoryMb, rule(table, 'stepFunctionsExpressMemoryStepMb')));
}

export interface ExpressUsage {
  executions: number;
  /** Sum over executions of billed duration (ms) x billed memory (MB): billingDetails multiplied per execution. */
  billedMbMs: number;
}

/** Express workflow requests and duration (GB-seconds from billingDetails, already in 100 ms / 64 MB steps). */
export function stepFunctionsExpress(table: PriceTable, usage: ExpressUsage, source: string, estimated = false): CostPart[] {
  const gbSeconds = usage.billedMbMs / 1000 / MB_PER_GB;
  return [
    {
      service: 'stepfunctions',
      item: 'Express requests',
      quantity: usage.executions,
      unit: 'requests',
      usd: (usage.executions / 1e6) * price(table, 'stepFunctionsExpressRequestsPerMillion'),
      source,
      estimated: false,
    },
    {
      service: 'stepfunctions',
      item: 'Express duration (100 ms x 64 MB steps)',
      quantity: gbSeconds,
      unit: 'GB-s',
      usd: gbSeconds * price(table, 'stepFunctionsExpressGbSecond'),
      source,
      estimated,
    },
  ];
}

// ---- Lambda ---------------------------------------------------------------------------------------

/** The duration Lambda bills for one invocation's measured duration: rounded up to the next 1 ms. */
export function lambdaBilledDurationMs(table: PriceTable, durationMs: number): number {
  return roundUpTo(durationMs, rule(table, 'lambdaDurationStepMs'));
}

export interface LambdaUsage {
  invocations: number;
  /** Sum of billed durations of the invocations (each already rounded up to 1 ms). */
  billedDurationMs: number;
  /** Sum of billed INIT durations (rounded up to 1 ms each), billed since 2025-08-01. */
  billedInitMs: number;
  memoryMb: number;
  architecture: 'arm64' | 'x86_64';
}

export function lambda(table: PriceTable, usage: LambdaUsage, sources: { requests: string; duration: string; init: string }, estimated: { duration: boolean; init: boolean }): CostPart[] {
  const gbPerSecond = usage.architecture === 'arm64' ? price(table, 'lambdaGbSecondArm64') : price(table, 'lambdaGbSecondX86');
  const gb = usage.memoryMb / MB_PER_GB;
  const durationGbS = (usage.billedDurationMs / 1000) * gb;
  const initBilled = rule(table, 'lambdaInitBilled') === 1;
  const initGbS = initBilled ? (usage.billedInitMs / 1000) * gb : 0;
  return [
    {
      service: 'lambda',
      item: 'requests',
      quantity: usage.invocations,
      unit: 'requests',
      usd: (usage.invocations / 1e6) * price(table, 'lambdaRequestsPerMillion'),
      source: sources.requests,
      estimated: false,
    },
    {
      service: 'lambda',
      item: `duration (${usage.memoryMb} MB, ${usage.architecture})`,
      quantity: durationGbS,
      unit: 'GB-s',
      usd: durationGbS * gbPerSecond,
      source: sources.duration,
      estimated: estimated.duration,
    },
    {
      service: 'lambda',
      item: `INIT duration (${usage.memoryMb} MB, ${usage.architecture})`,
      quantity: initGbS,
      unit: 'GB-s',
      usd: initGbS * gbPerSecond,
      source: initBilled ? sources.init : `${sources.init} (INIT not billed by this price table)`,
      estimated: estimated.init,
    },
  ];
}

// ---- DynamoDB ------------------------------------------------------------------------------------

/**
 * Read request units of one Query: the summed size of the items read, rounded up to 4 KB, halved
 * when eventually consistent (DynamoDB developer guide, read-write-operations).
 */
export function queryReadUnits(table: PriceTable, itemSizesBytes: readonly number[], consistentRead: boolean): number {
  const unit = rule(table, 'dynamodbReadUnitBytes');
  const total = itemSizesBytes.reduce((a, b) => a + b, 0);
  const units = Math.max(1, Math.ceil(total / unit));
  return consistentRead ? units : units / 2;
}

export function dynamodbReads(table: PriceTable, readUnits: number, source: string, estimated = false): CostPart {
  return {
    service: 'dynamodb',
    item: 'on-demand read request units',
    quantity: readUnits,
    unit: 'RRU',
    usd: (readUnits / 1e6) * price(table, 'dynamodbOnDemandReadPerMillion'),
    source,
    estimated,
  };
}

export function dynamodbWrites(table: PriceTable, writeUnits: number, source: string, estimated = false): CostPart {
  return {
    service: 'dynamodb',
    item: 'on-demand write request units',
    quantity: writeUnits,
    unit: 'WRU',
    usd: (writeUnits / 1e6) * price(table, 'dynamodbOnDemandWritePerMillion'),
    source,
    estimated,
  };
}

// ---- Containers ----------------------------------------------------------------------------------

export interface InstanceTime {
  /** Instance-seconds (or task-seconds) over the tier. */
  instanceSeconds: number;
  vcpu: number;
  memoryGb: number;
}

/** App Runner active instances: vCPU-hours and GB-hours (during a load tier every instance is active). */
export function appRunnerActive(table: PriceTable, usage: InstanceTime, source: string, estimated: boolean): CostPart[] {
  const hours = usage.instanceSeconds / 3600;
  return [
    { service: 'apprunner', item: 'active vCPU', quantity: hours * usage.vcpu, unit: 'vCPU-h', usd: hours * usage.vcpu * price(table, 'appRunnerActiveVcpuHour'), source, estimated },
    { service: 'apprunner', item: 'active memory', quantity: hours * usage.memoryGb, unit: 'GB-h', usd: hours * usage.memoryGb * price(table, 'appRunnerActiveGbHour'), source, estimated },
  ];
}

/** Fargate tasks (what ECS Express Mode runs): vCPU-hours and GB-hours. */
export function fargateTasks(table: PriceTable, usage: InstanceTime & { architecture: 'arm64' | 'x86_64' }, source: string, estimated: boolean): CostPart[] {
  const hours = usage.instanceSeconds / 3600;
  const arm = usage.architecture === 'arm64';
  const vcpuPrice = price(table, arm ? 'fargateVcpuHourArm64' : 'fargateVcpuHourX86');
  const gbPrice = price(table, arm ? 'fargateGbHourArm64' : 'fargateGbHourX86');
  return [
    { service: 'fargate', item: `task vCPU (${usage.architecture})`, quantity: hours * usage.vcpu, unit: 'vCPU-h', usd: hours * usage.vcpu * vcpuPrice, source, estimated },
    { service: 'fargate', item: `task memory (${usage.architecture})`, quantity: hours * usage.memoryGb, unit: 'GB-h', usd: hours * usage.memoryGb * gbPrice, source, estimated },
  ];
}

export interface AlbUsage {
  seconds: number;
  newConnections: number;
  activeConnections: number;
  processedBytes: number;
  /** Rule evaluations beyond the 10 free per request (0 for the kit's single rule). */
  billableRuleEvaluations: number;
}

/** LCUs over the period: the largest of the four dimensions (per hour rates). */
export function albLcus(usage: AlbUsage): { lcu: number; dimension: string } {
  const hours = usage.seconds / 3600;
  if (hours <= 0) return { lcu: 0, dimension: 'none' };
  const dims: [string, number][] = [
    ['new connections', usage.newConnections / usage.seconds / 25],
    ['active connections', usage.activeConnections / 3000],
    ['processed bytes', usage.processedBytes / 1e9 / hours],
    ['rule evaluations', usage.billableRuleEvaluations / usage.seconds / 1000],
  ];
  return dims.reduce((best, [dimension, lcu]) => (lcu > best.lcu ? { lcu, dimension } : best), { lcu: 0, dimension: 'none' });
}

export function applicationLoadBalancer(table: PriceTable, usage: AlbUsage, source: string, estimated: boolean): CostPart[] {
  const hours = usage.seconds / 3600;
  const { lcu, dimension } = albLcus(usage);
  return [
    { service: 'alb', item: 'load balancer hours', quantity: hours, unit: 'ALB-h', usd: hours * price(table, 'albHour'), source, estimated },
    { service: 'alb', item: `LCU (largest dimension: ${dimension})`, quantity: lcu * hours, unit: 'LCU-h', usd: lcu * hours * price(table, 'albLcuHour'), source, estimated },
  ];
}

// ---- Fan-out ---------------------------------------------------------------------------------------

export interface FanoutUsage {
  /** Consumer tasks each change is delivered to. */
  tasks: number;
  processor: 'lambda' | 'pipe';
  /** AppSync operations per change (the putState mutation). */
  appsyncOperations: number;
  /** DynamoDB write request units per change (an item up to 1 KB is one unit). */
  writeUnits: number;
  /** Lambda processor: invocations per change (1 when batches hold one record), billed ms and memory. */
  lambda?: { invocationsPerChange: number; billedDurationMs: number; memoryMb: number; architecture: 'arm64' | 'x86_64' };
  /** SQS requests per task per change: ReceiveMessage + DeleteMessage (deliveries from SNS are not SQS requests the consumer pays for). */
  sqsRequestsPerTask: number;
}

/** The bill for one change delivered to N tasks; multiply by 1e6 for a million changes. */
export function fanoutPerChange(table: PriceTable, usage: FanoutUsage, source: string): CostPart[] {
  const parts: CostPart[] = [
    { service: 'appsync', item: 'mutation operations', quantity: usage.appsyncOperations, unit: 'operations', usd: (usage.appsyncOperations / 1e6) * price(table, 'appsyncOperationsPerMillion'), source, estimated: true },
    dynamodbWrites(table, usage.writeUnits, source, true),
  ];
  if (usage.processor === 'lambda') {
    const l = usage.lambda ?? { invocationsPerChange: 1, billedDurationMs: 0, memoryMb: 128, architecture: 'arm64' as const };
    parts.push(
      ...lambda(
        table,
        { invocations: l.invocationsPerChange, billedDurationMs: l.billedDurationMs * l.invocationsPerChange, billedInitMs: 0, memoryMb: l.memoryMb, architecture: l.architecture },
        { requests: source, duration: source, init: source },
        { duration: true, init: true },
      ).filter((p) => !p.item.startsWith('INIT')),
    );
  } else {
    parts.push({ service: 'pipes', item: 'Pipes requests', quantity: 1, unit: 'requests', usd: price(table, 'pipesRequestsPerMillion') / 1e6, source, estimated: true });
  }
  parts.push(
    { service: 'sns', item: 'publishes', quantity: 1, unit: 'publishes', usd: price(table, 'snsPublishPerMillion') / 1e6, source, estimated: true },
    {
      service: 'sqs',
      item: `requests (${usage.tasks} tasks x ${usage.sqsRequestsPerTask})`,
      quantity: usage.tasks * usage.sqsRequestsPerTask,
      unit: 'requests',
      usd: ((usage.tasks * usage.sqsRequestsPerTask) / 1e6) * price(table, 'sqsRequestsPerMillion'),
      source,
      estimated: true,
    },
  );
  return parts;
}

export function totalUsd(parts: readonly CostPart[]): number {
  return parts.reduce((sum, p) => sum + p.usd, 0);
}
