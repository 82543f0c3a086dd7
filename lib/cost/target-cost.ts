import {
  apiGatewayRestRequests,
  appRunnerActive,
  applicationLoadBalancer,
  dynamodbReads,
  fargateTasks,
  lambda,
  stepFunctionsExpress,
  totalUsd,
  type CostPart,
} from './model.ts';
import { sumKey, SST_HEADERS } from './headers.ts';
import type { PriceTable } from './prices.ts';

/**
 * What one target cost over one tier, from the quantities the run measured: the per-target
 * composition of the model's parts. Local runs price local quantities (estimate of what AWS would
 * bill for the same work); AWS runs price what AWS reported where the kit fetched it.
 */

export type HeaderSums = Record<string, { sum: number; count: number }>;

/** Totals of a Lambda function's REPORT log lines over a tier (see runner/cost/lambda-reports.ts). */
export interface LambdaReportTotals {
  invocations: number;
  /** Sum of `Billed Duration` (since 2025-08-01 it includes the INIT phase of cold invocations). */
  billedDurationMs: number;
  /** Sum of `Init Duration` over the invocations that had one. */
  initDurationMs: number;
  initCount: number;
  memoryMb: number;
}

/** Quantities fetched from AWS after the run (optional; absent ones fall back to estimates). */
export interface AwsMeasured {
  lambdaReports?: LambdaReportTotals;
  /** Instance-seconds (App Runner) or task-seconds (ECS Express) over the tier, from CloudWatch metrics. */
  instanceSeconds?: { value: number; source: string };
}

export interface CostInput {
  stage: 'local' | 'aws';
  target: string;
  requests: number;
  wallMs: number;
  bytesReceived: number;
  concurrency: number;
  headerSums: HeaderSums;
  /** The backend `config` recorded with the run (memory, architecture, instance size). */
  config: Record<string, string | number | boolean> | null;
  aws?: AwsMeasured;
  /** Read units per request measured on another target of the same tier (same Query, same breeds): for sfn. */
  borrowedReadUnitsPerRequest?: { value: number; from: string };
}

export interface TargetCost {
  /** USD per million requests sent (null when the tier sent none). */
  perMillionUsd: number | null;
  totalUsd: number;
  /** One line: whose bill this is and how it was obtained. */
  basis: string;
  estimate: boolean;
  parts: CostPart[];
  /** What the figure leaves out or could not price. */
  notes: string[];
  prices: { region: string; regionPriced: boolean; files: string[] };
}

const header = (sums: HeaderSums, name: string) => sums[sumKey(name)];

const numberSetting = (config: CostInput['config'], key: string): number | undefined => {
  const v = config?.[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseFloat(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

function readUnitsPart(table: PriceTable, input: CostInput, notes: string[]): CostPart[] {
  const measured = header(input.headerSums, SST_HEADERS.readUnits);
  if (measured && measured.count > 0) {
    return [dynamodbReads(table, measured.sum, `${SST_HEADERS.readUnits} on ${measured.count} responses (ConsumedCapacity)`)];
  }
  if (input.borrowedReadUnitsPerRequest) {
    const { value, from } = input.borrowedReadUnitsPerRequest;
    return [dynamodbReads(table, value * input.requests, `estimate: ${value.toFixed(3)} RRU per request as measured on ${from} (same Query, same breeds)`, true)];
  }
  notes.push('DynamoDB reads not priced: no read-unit headers on this target and no other target to borrow them from.');
  return [];
}

function lambdaParts(table: PriceTable, input: CostInput, notes: string[]): CostPart[] {
  const architecture = input.config?.['lambdaArchitecture'] === 'x86_64' ? 'x86_64' : 'arm64';
  const reports = input.aws?.lambdaReports;
  if (reports && reports.invocations > 0) {
    // Billed Duration includes INIT on cold invocations: split it so both parts show, total unchanged.
    return lambda(
      table,
      { invocations: reports.invocations, billedDurationMs: reports.billedDurationMs - reports.initDurationMs, billedInitMs: reports.initDurationMs, memoryMb: reports.memoryMb, architecture },
      { requests: `REPORT lines (${reports.invocations})`, duration: 'REPORT lines: Billed Duration less Init Duration', init: `REPORT lines: Init Duration (${reports.initCount} cold)` },
      { duration: false, init: false },
    );
  }
  const duration = header(input.headerSums, SST_HEADERS.handlerDurationMs);
  const memory = header(input.headerSums, SST_HEADERS.memoryMb);
  const init = header(input.headerSums, SST_HEADERS.initMs);
  const memoryMb = memory && memory.count > 0 ? memory.sum / memory.count : numberSetting(input.config, 'lambdaMemoryMb') ?? 128;
  if (!duration || duration.count === 0) notes.push('Lambda duration not priced: no handler-duration headers (and no REPORT lines).');
  if (input.stage === 'aws') notes.push('Lambda priced from the handler\'s own headers: REPORT lines were not fetched for this run.');
  return lambda(
    table,
    { invocations: duration?.count ?? input.requests, billedDurationMs: duration?.sum ?? 0, billedInitMs: init?.sum ?? 0, memoryMb, architecture },
    {
      requests: duration ? `${SST_HEADERS.handlerDurationMs} on ${duration.count} responses` : 'requests sent',
      duration: `${SST_HEADERS.handlerDurationMs} (handler-measured, 1 ms steps)`,
      init: init ? `${SST_HEADERS.initMs} on ${init.count} cold responses (local host's module load time)` : 'no INIT reported',
    },
    { duration: true, init: true },
  );
}

function sfnParts(table: PriceTable, input: CostInput, notes: string[]): CostPart[] {
  const product = header(input.headerSums, SST_HEADERS.billedMbMs);
  const duration = header(input.headerSums, SST_HEADERS.billedDurationMs);
  const memory = header(input.headerSums, SST_HEADERS.billedMemoryMb);
  if (product && product.count > 0) {
    return stepFunctionsExpress(table, { executions: product.count, billedMbMs: product.sum }, `billingDetails via ${SST_HEADERS.billedMbMs} on ${product.count} responses`);
  }
  if (duration && duration.count > 0 && memory && memory.count > 0) {
    return stepFunctionsExpress(
      table,
      { executions: duration.count, billedMbMs: duration.sum * (memory.sum / memory.count) },
      `billingDetails via ${SST_HEADERS.billedDurationMs} x mean ${SST_HEADERS.billedMemoryMb}`,
      true,
    );
  }
  notes.push('Step Functions duration not priced: no billingDetails headers; requests priced as one execution each.');
  return stepFunctionsExpress(table, { executions: input.requests, billedMbMs: 0 }, 'requests sent', true);
}

function containerSize(input: CostInput, target: 'apprunner' | 'ecs-express'): { vcpu: number; memoryGb: number; label: string } {
  if (target === 'apprunner') {
    const vcpu = numberSetting(input.config, 'apprunnerCpu') ?? 1;
    const memoryGb = numberSetting(input.config, 'apprunnerMemory') ?? 2;
    return { vcpu, memoryGb, label: `${vcpu} vCPU / ${memoryGb} GB` };
  }
  const vcpu = (numberSetting(input.config, 'ecsExpressCpu') ?? 1024) / 1024;
  const memoryGb = (numberSetting(input.config, 'ecsExpressMemoryMb') ?? 2048) / 1024;
  return { vcpu, memoryGb, label: `${vcpu} vCPU / ${memoryGb} GB` };
}

function instanceSeconds(input: CostInput): { value: number; source: string; estimated: boolean } {
  if (input.aws?.instanceSeconds) return { ...input.aws.instanceSeconds, estimated: false };
  const seconds = input.wallMs / 1000;
  return input.stage === 'local'
    ? { value: seconds, source: 'estimate: tier wall time x 1 instance (the local service is one process)', estimated: true }
    : { value: seconds, source: 'estimate: tier wall time x 1 instance (service metrics not fetched; more instances cost more)', estimated: true };
}

/** Prices one target's tier. */
export function targetCost(table: PriceTable, input: CostInput): TargetCost {
  const notes: string[] = [];
  const parts: CostPart[] = [];
  const requestsSource = `${input.requests} requests sent`;
  switch (input.target) {
    case 'direct':
      parts.push(apiGatewayRestRequests(table, input.requests, requestsSource), ...readUnitsPart(table, input, notes));
      notes.push('Cold starts: a direct integration has no instance AWS exposes; none counted.');
      break;
    case 'sfn':
      parts.push(apiGatewayRestRequests(table, input.requests, requestsSource), ...sfnParts(table, input, notes), ...readUnitsPart(table, input, notes));
      break;
    case 'lambda':
      parts.push(apiGatewayRestRequests(table, input.requests, requestsSource), ...lambdaParts(table, input, notes), ...readUnitsPart(table, input, notes));
      break;
    case 'apprunner': {
      const size = containerSize(input, 'apprunner');
      const time = instanceSeconds(input);
      parts.push(...appRunnerActive(table, { instanceSeconds: time.value, vcpu: size.vcpu, memoryGb: size.memoryGb }, `${time.source}, ${size.label}`, time.estimated), ...readUnitsPart(table, input, notes));
      notes.push('App Runner: active instance time over the tier only; provisioned (idle) memory between runs is not in a per-request figure.');
      break;
    }
    case 'ecs-express': {
      const size = containerSize(input, 'ecs-express');
      const time = instanceSeconds(input);
      const architecture = input.config?.['ecsExpressArchitecture'] === 'arm64' ? 'arm64' : 'x86_64';
      parts.push(
        ...fargateTasks(table, { instanceSeconds: time.value, vcpu: size.vcpu, memoryGb: size.memoryGb, architecture }, `${time.source}, ${size.label}`, time.estimated),
        ...applicationLoadBalancer(
          table,
          { seconds: input.wallMs / 1000, newConnections: input.concurrency, activeConnections: input.concurrency, processedBytes: input.bytesReceived, billableRuleEvaluations: 0 },
          'estimate: tier wall time; one connection per client worker; response bytes processed',
          true,
        ),
        ...readUnitsPart(table, input, notes),
      );
      break;
    }
    default:
      notes.push(`No cost model for target "${input.target}".`);
  }
  const total = totalUsd(parts);
  const estimate = input.stage === 'local' || parts.some((p) => p.estimated);
  const sources = [...new Set(parts.map((p) => p.source))];
  const prefix =
    input.stage === 'local'
      ? 'local estimate of what AWS would bill for the same work'
      : estimate
        ? 'AWS list prices, partly estimated'
        : 'AWS list prices x quantities AWS reported';
  if (!table.regionPriced) notes.push(`Prices are ${table.region} list prices; no price file for the run's region.`);
  notes.push('Leaves out free tiers, volume discounts, data transfer and CloudWatch Logs.');
  return {
    perMillionUsd: input.requests > 0 ? (total / input.requests) * 1e6 : null,
    totalUsd: total,
    basis: `${prefix} (${sources.join('; ')})`,
    estimate,
    parts,
    notes,
    prices: { region: table.region, regionPriced: table.regionPriced, files: table.files },
  };
}
