import { existsSync, readFileSync } from 'node:fs';
import { ConfigError } from '../errors.ts';
import { repoPath } from '../repo-root.ts';

/**
 * The price table as data: `lib/cost/prices/us-east-1.json` holds the us-east-1 list prices, each
 * with its source page, the day it was read and how. Another region is priced by an override file
 * `lib/cost/prices/<region>.json` (same shape, only the entries that differ) or by a file the user
 * names; without one, the us-east-1 figures are used and the table says so (`regionPriced: false`).
 */

export const PRICE_KEYS = [
  'apiGatewayRestRequestsPerMillion',
  'stepFunctionsExpressRequestsPerMillion',
  'stepFunctionsExpressGbSecond',
  'lambdaRequestsPerMillion',
  'lambdaGbSecondArm64',
  'lambdaGbSecondX86',
  'dynamodbOnDemandReadPerMillion',
  'dynamodbOnDemandWritePerMillion',
  'appRunnerActiveVcpuHour',
  'appRunnerActiveGbHour',
  'appRunnerProvisionedGbHour',
  'fargateVcpuHourX86',
  'fargateGbHourX86',
  'fargateVcpuHourArm64',
  'fargateGbHourArm64',
  'albHour',
  'albLcuHour',
  'snsPublishPerMillion',
  'sqsRequestsPerMillion',
  'pipesRequestsPerMillion',
  'appsyncOperationsPerMillion',
] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];

export const RULE_KEYS = [
  'stepFunctionsExpressDurationStepMs',
  'stepFunctionsExpressMemoryStepMb',
  'lambdaDurationStepMs',
  'lambdaInitBilled',
  'dynamodbReadUnitBytes',
] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

export interface PriceEntry {
  usd: number;
  unit: string;
  source: string;
  read: string;
  how: string;
}
export interface RuleEntry {
  value: number;
  unit: string;
  source: string;
  read: string;
  how: string;
}

export interface PriceTable {
  /** The region the figures are for (the base file's, or the override's). */
  region: string;
  /** False when the run's region has no override and us-east-1 figures stand in. */
  regionPriced: boolean;
  currency: 'USD';
  /** Files the table was built from, base first. */
  files: string[];
  prices: Record<PriceKey, PriceEntry>;
  rules: Record<RuleKey, RuleEntry>;
}

export const BASE_PRICE_REGION = 'us-east-1';
export const PRICE_DIR = 'lib/cost/prices';

function readJson(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read price file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`Price file ${file} is not a JSON object: ${(error as Error).message}.`, { cause: error });
  }
}

function checkEntry(file: string, key: string, raw: unknown, valueField: 'usd' | 'value'): PriceEntry | RuleEntry {
  const e = raw as Record<string, unknown> | null;
  const value = e?.[valueField];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${file}: "${key}.${valueField}" must be a number of at least 0; got ${JSON.stringify(value)}.`);
  }
  for (const field of ['unit', 'source', 'read', 'how'] as const) {
    if (typeof e?.[field] !== 'string' || (e[field] as string).trim() === '') {
      throw new ConfigError(`${file}: "${key}.${field}" is missing; every price says where it was read (source URL, date, how).`);
    }
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(e!['read'] as string)) throw new ConfigError(`${file}: "${key}.read" must be a date (YYYY-MM-DD).`);
  return { [valueField]: value, unit: e!['unit'], source: e!['source'], read: e!['read'], how: e!['how'] } as unknown as PriceEntry | RuleEntry;
}

function entries(file: string, json: Record<string, unknown>, partial: boolean) {
  const prices = (json['prices'] ?? {}) as Record<string, unknown>;
  const rules = (json['billingRules'] ?? {}) as Record<string, unknown>;
  const known = new Set<string>([...PRICE_KEYS, ...RULE_KEYS]);
  for (const key of [...Object.keys(prices), ...Object.keys(rules)]) {
    if (!known.has(key)) throw new ConfigError(`${file}: unknown price "${key}"; known: ${[...known].join(', ')}.`);
  }
  const outPrices: Partial<Record<PriceKey, PriceEntry>> = {};
  const outRules: Partial<Record<RuleKey, RuleEntry>> = {};
  for (const key of PRICE_KEYS) {
    if (prices[key] === undefined) {
      if (!partial) throw new ConfigError(`${file} lacks price "${key}".`);
      continue;
    }
    outPrices[key] = checkEntry(file, key, prices[key], 'usd') as PriceEntry;
  }
  for (const key of RULE_KEYS) {
    if (rules[key] === undefined) {
      if (!partial) throw new ConfigError(`${file} lacks billing rule "${key}".`);
      continue;
    }
    outRules[key] = checkEntry(file, key, rules[key], 'value') as RuleEntry;
  }
  return { prices: outPrices, rules: outRules };
}

/**
 * The price table for `region`: us-east-1 as the base, then `lib/cost/prices/<region>.json` if it
 * exists, then `overrideFile` if given (both partial: only the entries that differ).
 */
export function loadPriceTable(region: string = BASE_PRICE_REGION, overrideFile?: string): PriceTable {
  const baseFile = repoPath(`${PRICE_DIR}/${BASE_PRICE_REGION}.json`);
  const base = entries(baseFile, readJson(baseFile), false);
  const table: PriceTable = {
    region: BASE_PRICE_REGION,
    regionPriced: region === BASE_PRICE_REGION,
    currency: 'USD',
    files: [`${PRICE_DIR}/${BASE_PRICE_REGION}.json`],
    prices: base.prices as Record<PriceKey, PriceEntry>,
    rules: base.rules as Record<RuleKey, RuleEntry>,
  };
  const overrides: [string, string][] = [];
  const regionFile = `${PRICE_DIR}/${region}.json`;
  if (region !== BASE_PRICE_REGION && existsSync(repoPath(regionFile))) overrides.push([repoPath(regionFile), regionFile]);
  if (overrideFile) overrides.push([overrideFile, overrideFile]);
  for (const [file, label] of overrides) {
    const json = readJson(file);
    const over = entries(file, json, true);
    Object.assign(table.prices, over.prices);
    Object.assign(table.rules, over.rules);
    table.files.push(label);
    if (typeof json['region'] === 'string') {
      table.region = json['region'];
      table.regionPriced = json['region'] === region;
    }
  }
  return table;
}

/** The price in USD (throws nothing: the table is validated when loaded). */
export function price(table: PriceTable, key: PriceKey): number {
  return table.prices[key].usd;
}

export function rule(table: PriceTable, key: RuleKey): number {
  return table.rules[key].value;
}
