import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  albLcus,
  apiGatewayRestRequests,
  appRunnerActive,
  dynamodbReads,
  expressBilledDurationMs,
  expressBilledMemoryMb,
  fanoutPerChange,
  lambda,
  lambdaBilledDurationMs,
  queryReadUnits,
  stepFunctionsExpress,
  totalUsd,
} from '../../lib/cost/model.ts';
import { loadPriceTable, PRICE_KEYS } from '../../lib/cost/prices.ts';
import { targetCost } from '../../lib/cost/target-cost.ts';
import { ConfigError } from '../../lib/errors.ts';

const table = loadPriceTable('us-east-1');
const close = (actual: number, expected: number, digits = 9) =>
  assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} is not ${expected} (to ${digits} digits)`);

describe('price table', () => {
  it('has every price with its source page, the date read and how', () => {
    for (const key of PRICE_KEYS) {
      const entry = table.prices[key];
      assert.match(entry.source, /^https:\/\/aws\.amazon\.com\//, key);
      assert.match(entry.read, /^\d{4}-\d{2}-\d{2}$/, key);
      assert.ok(entry.how.length > 10, key);
    }
    assert.equal(table.regionPriced, true);
  });

  it('uses us-east-1 for another region without an override, and says so', () => {
    const t = loadPriceTable('eu-west-1');
    assert.equal(t.region, 'us-east-1');
    assert.equal(t.regionPriced, false);
  });

  it('takes another region from an override file (only the prices that differ)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sst-prices-'));
    const file = join(dir, 'eu-west-1.json');
    writeFileSync(
      file,
      JSON.stringify({
        region: 'eu-west-1',
        prices: { apiGatewayRestRequestsPerMillion: { usd: 3.7, unit: 'USD per million', source: 'https://aws.amazon.com/api-gateway/pricing/', read: '2026-12-04', how: 'test' } },
      }),
    );
    const t = loadPriceTable('eu-west-1', file);
    assert.equal(t.region, 'eu-west-1');
    assert.equal(t.regionPriced, true);
    assert.equal(t.prices.apiGatewayRestRequestsPerMillion.usd, 3.7);
    assert.equal(t.prices.lambdaRequestsPerMillion.usd, 0.2);
  });

  it('refuses a price without a source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sst-prices-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ prices: { albHour: { usd: 0.03, unit: 'h', read: '2026-12-04', how: 'x' } } }));
    assert.throws(() => loadPriceTable('us-east-1', file), (e: unknown) => e instanceof ConfigError && /albHour\.source/.test((e as Error).message));
  });
});

describe('cost model against hand-computed examples', () => {
  it('API Gateway REST: a million requests at $3.50', () => {
    close(apiGatewayRestRequests(table, 1_000_000, 't').usd, 3.5);
  });

  it('Step Functions Express: duration in 100 ms steps, memory in 64 MB steps', () => {
    assert.equal(expressBilledDurationMs(table, 0), 100);
    assert.equal(expressBilledDurationMs(table, 100), 100);
    assert.equal(expressBilledDurationMs(table, 101), 200);
    assert.equal(expressBilledDurationMs(table, 150), 200);
    assert.equal(expressBilledMemoryMb(table, 50), 64);
    assert.equal(expressBilledMemoryMb(table, 64), 64);
    assert.equal(expressBilledMemoryMb(table, 65), 128);
    // A million executions of 150 ms using 50 MB: billed 200 ms x 64 MB = 0.0125 GB-s each,
    // 12,500 GB-s x $0.00001667 = $0.208375, plus $1.00 of requests.
    const perExecution = expressBilledDurationMs(table, 150) * expressBilledMemoryMb(table, 50);
    const parts = stepFunctionsExpress(table, { executions: 1_000_000, billedMbMs: perExecution * 1_000_000 }, 't');
    close(parts[1]!.quantity, 12_500);
    close(parts[1]!.usd, 0.208375);
    close(totalUsd(parts), 1.208375);
  });

  it('Lambda: 1 ms steps, GB-seconds by memory and architecture, INIT billed', () => {
    assert.equal(lambdaBilledDurationMs(table, 300.2), 301);
    assert.equal(lambdaBilledDurationMs(table, 12), 12);
    // A million invocations of 300.2 ms at 512 MB arm64: 301 ms x 0.5 GB = 0.1505 GB-s each,
    // 150,500 GB-s x $0.0000133334 = $2.0066767; requests $0.20. Ten cold starts of 250.4 ms INIT:
    // 10 x 251 ms x 0.5 GB = 1.255 GB-s = $0.000016733417.
    const parts = lambda(
      table,
      { invocations: 1_000_000, billedDurationMs: 301 * 1_000_000, billedInitMs: 10 * lambdaBilledDurationMs(table, 250.4), memoryMb: 512, architecture: 'arm64' },
      { requests: 't', duration: 't', init: 't' },
      { duration: false, init: false },
    );
    close(parts[0]!.usd, 0.2);
    close(parts[1]!.quantity, 150_500);
    close(parts[1]!.usd, 2.0066767);
    close(parts[2]!.quantity, 1.255);
    close(parts[2]!.usd, 0.000016733417, 14);
    // x86_64 costs $0.0000166667 per GB-s: 150,500 x that = $2.50833835.
    const x86 = lambda(table, { invocations: 0, billedDurationMs: 301 * 1_000_000, billedInitMs: 0, memoryMb: 512, architecture: 'x86_64' }, { requests: 't', duration: 't', init: 't' }, { duration: false, init: false });
    close(x86[1]!.usd, 2.50833835);
  });

  it('Lambda on AWS: a REPORT line whose Billed Duration includes INIT (662 = ceil(395.99 + 265.72))', () => {
    const cost = targetCost(table, {
      stage: 'aws',
      target: 'lambda',
      requests: 1,
      wallMs: 700,
      bytesReceived: 0,
      concurrency: 1,
      headerSums: {},
      config: { lambdaArchitecture: 'arm64' },
      aws: { lambdaReports: { invocations: 1, billedDurationMs: 662, initDurationMs: 265.72, initCount: 1, memoryMb: 512 } },
    });
    const lambdaParts = cost.parts.filter((p) => p.service === 'lambda');
    // 0.662 s x 0.5 GB = 0.331 GB-s in all, split into handler and INIT.
    close(lambdaParts[1]!.quantity + lambdaParts[2]!.quantity, 0.331);
    close(lambdaParts[2]!.quantity, 0.26572 * 0.5);
    close(lambdaParts[1]!.usd + lambdaParts[2]!.usd, 0.331 * 0.0000133334, 12);
  });

  it('DynamoDB Query: summed item size in 4 KB steps, halved when eventually consistent', () => {
    // 10 items of 350 bytes = 3,500 bytes: one 4 KB unit, half a unit eventually consistent.
    assert.equal(queryReadUnits(table, Array(10).fill(350), true), 1);
    assert.equal(queryReadUnits(table, Array(10).fill(350), false), 0.5);
    // 13 items of 350 bytes = 4,550 bytes: two units (the sum is rounded, not each item).
    assert.equal(queryReadUnits(table, Array(13).fill(350), true), 2);
    assert.equal(queryReadUnits(table, Array(13).fill(350), false), 1);
    // Exactly 8 KB is two units, one byte more is three.
    assert.equal(queryReadUnits(table, [8192], true), 2);
    assert.equal(queryReadUnits(table, [8193], true), 3);
    // A million half-unit Queries: 500,000 RRU x $0.125 per million = $0.0625.
    close(dynamodbReads(table, 500_000, 't').usd, 0.0625);
  });

  it('App Runner: active vCPU-hours and GB-hours', () => {
    // One 1 vCPU / 2 GB instance for an hour: $0.064 + 2 x $0.007 = $0.078.
    close(totalUsd(appRunnerActive(table, { instanceSeconds: 3600, vcpu: 1, memoryGb: 2 }, 't', true)), 0.078);
  });

  it('ALB: the largest LCU dimension is billed', () => {
    // 60 s, 100 new connections (1.67/s = 0.067 LCU), 100 active (0.033 LCU), 100 MB processed
    // (6 GB/h = 6 LCU): processed bytes wins.
    const lcu = albLcus({ seconds: 60, newConnections: 100, activeConnections: 100, processedBytes: 100e6, billableRuleEvaluations: 0 });
    assert.equal(lcu.dimension, 'processed bytes');
    close(lcu.lcu, 6);
  });

  it('fan-out: one change delivered to 20 tasks', () => {
    // AppSync $4/M + 1 WRU $0.625/M + Pipes $0.40/M + SNS $0.50/M + SQS 20 x 2 x $0.40/M = $21.525 per million changes.
    const parts = fanoutPerChange(table, { tasks: 20, processor: 'pipe', appsyncOperations: 1, writeUnits: 1, sqsRequestsPerTask: 2 }, 't');
    close(totalUsd(parts) * 1e6, 21.525, 6);
  });
});

describe('targetCost', () => {
  const base = { stage: 'local' as const, requests: 1000, wallMs: 2000, bytesReceived: 5_000_000, concurrency: 10, config: null };

  it('direct: API Gateway requests plus the read units the responses reported', () => {
    const cost = targetCost(table, { ...base, target: 'direct', headerSums: { 'read-units': { sum: 500, count: 1000 } } });
    // 1,000 x $3.50/M + 500 RRU x $0.125/M = $0.0035625 -> $3.5625 per million.
    close(cost.perMillionUsd!, 3.5625);
    assert.equal(cost.estimate, true);
    assert.match(cost.basis, /^local estimate of what AWS would bill/);
  });

  it('sfn: billingDetails product headers; read units borrowed from direct, labelled', () => {
    const cost = targetCost(table, {
      ...base,
      target: 'sfn',
      headerSums: { 'billed-mb-ms': { sum: 1000 * 100 * 64, count: 1000 }, 'billed-duration-ms': { sum: 100_000, count: 1000 } },
      borrowedReadUnitsPerRequest: { value: 0.5, from: 'direct' },
    });
    // 1,000 x (3.50 + 1.00)/M + 1,000 x 0.1 s x 0.0625 GB x $0.00001667 + 500 RRU x $0.125/M
    close(cost.totalUsd, 0.0045 + 6.25 * 0.00001667 + 0.0000625);
    const ddb = cost.parts.find((p) => p.service === 'dynamodb')!;
    assert.equal(ddb.estimated, true);
    assert.match(ddb.source, /measured on direct/);
  });

  it('lambda locally: handler duration, memory and the host\'s INIT headers', () => {
    const cost = targetCost(table, {
      ...base,
      target: 'lambda',
      headerSums: { 'handler-duration-ms': { sum: 12_000, count: 1000 }, 'memory-mb': { sum: 128_000, count: 1000 }, 'init-ms': { sum: 400, count: 2 }, 'read-units': { sum: 500, count: 1000 } },
    });
    const gbS = (12 + 0.4) * 0.125;
    close(cost.totalUsd, 0.0035 + 0.0002 + gbS * 0.0000133334 + 0.0000625);
  });

  it('apprunner locally: wall time x one instance x configured size, labelled as an estimate', () => {
    const cost = targetCost(table, { ...base, target: 'apprunner', headerSums: {}, config: { apprunnerCpu: '1 vCPU', apprunnerMemory: '2 GB' } });
    close(cost.totalUsd, (2 / 3600) * 0.078);
    assert.ok(cost.parts.every((p) => p.estimated));
    assert.ok(cost.notes.some((n) => /DynamoDB reads not priced/.test(n)));
  });

  it('ecs-express: Fargate task time and the load balancer', () => {
    const cost = targetCost(table, { ...base, target: 'ecs-express', headerSums: { 'read-units': { sum: 500, count: 1000 } }, config: { ecsExpressCpu: 1024, ecsExpressMemoryMb: 2048 } });
    const fargate = (2 / 3600) * (0.04048 + 2 * 0.004445);
    const hours = 2 / 3600;
    const lcu = 5e6 / 1e9 / hours; // processed bytes dominates
    close(cost.totalUsd, fargate + hours * 0.0225 + lcu * hours * 0.008 + 0.0000625);
  });
});
