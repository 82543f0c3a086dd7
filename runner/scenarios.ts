import { ConfigError } from '../lib/errors.ts';
import { FANOUT_SCENARIOS } from './fanout/scenarios.ts';

/** One load tier: N requests at concurrency C (closed loop), or at a fixed rate with `--rate`. */
export interface HttpTier {
  name: string;
  requests: number;
  concurrency: number;
}

/**
 * A scenario is data. `http` scenarios are load tiers against the api-backends targets; other kinds
 * (the fan-out benchmark, `runner/fanout/`) are dispatched by `main.ts` to their own runner.
 */
export type Scenario =
  | { kind: 'http'; name: string; description: string; tiers: readonly HttpTier[] }
  | { kind: 'fanout'; name: string; description: string; settings?: Record<string, unknown> };

export type ScenarioKind = Scenario['kind'];

export const HTTP_TIERS: readonly HttpTier[] = [
  { name: 'test1', requests: 100, concurrency: 1 },
  { name: 'test2', requests: 500, concurrency: 10 },
  { name: 'test3', requests: 1_000, concurrency: 100 },
  { name: 'test4', requests: 5_000, concurrency: 500 },
  { name: 'test5', requests: 10_000, concurrency: 1_000 },
];

export const SCENARIOS: readonly Scenario[] = [
  ...HTTP_TIERS.map((tier): Scenario => ({
    kind: 'http',
    name: tier.name,
    description: `${tier.requests.toLocaleString('en-US')} requests @ concurrency ${tier.concurrency.toLocaleString('en-US')}`,
    tiers: [tier],
  })),
  { kind: 'http', name: 'all', description: 'test1..test5 in order', tiers: HTTP_TIERS },
  ...Object.values(FANOUT_SCENARIOS).map((f): Scenario => ({ kind: 'fanout', name: f.name, description: f.description })),
];

/** What one invocation runs: scenarios of one kind, and for `http` the tiers in order. */
export interface ResolvedScenarios {
  kind: ScenarioKind;
  /** The spec as given, normalised (`test1,test2`); used in the run id and the results. */
  label: string;
  scenarios: Scenario[];
  tiers: HttpTier[];
}

export function scenarioNames(table: readonly Scenario[] = SCENARIOS): string[] {
  return table.map((s) => s.name);
}

/** Resolves `--scenario` (a name or a comma list). Unknown names fail and list the valid ones. */
export function resolveScenarios(spec: string, table: readonly Scenario[] = SCENARIOS): ResolvedScenarios {
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new ConfigError(`--scenario is empty; valid scenarios: ${scenarioNames(table).join(', ')}.`);
  const scenarios = names.map((name) => {
    const found = table.find((s) => s.name === name);
    if (!found) throw new ConfigError(`Unknown scenario "${name}"; valid scenarios: ${scenarioNames(table).join(', ')}.`);
    return found;
  });
  const kinds = new Set(scenarios.map((s) => s.kind));
  if (kinds.size > 1) throw new ConfigError(`--scenario mixes kinds (${[...kinds].join(', ')}); run them separately.`);
  if (scenarios[0]!.kind === 'fanout' && scenarios.length > 1) throw new ConfigError('--scenario runs one fan-out scenario at a time.');
  const tiers = scenarios.flatMap((s) => (s.kind === 'http' ? s.tiers : []));
  const seen = new Set<string>();
  for (const tier of tiers) {
    if (seen.has(tier.name)) throw new ConfigError(`--scenario runs tier "${tier.name}" twice; list each tier once.`);
    seen.add(tier.name);
  }
  return { kind: scenarios[0]!.kind, label: names.join(','), scenarios, tiers };
}
