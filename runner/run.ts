import { request } from 'undici';
import { KitError } from '../lib/errors.ts';
import { targetUrls } from '../lib/stage/outputs.ts';
import { turkeysUrl, type Target } from '../lib/stage/targets.ts';
import { BREEDS } from '../lib/turkeys/breeds.ts';
import { defaultWorkers, runLoad } from './engine/load.ts';
import { breedPageCheck, DEFAULT_FULL_PARSE_EVERY } from './engine/response-check.ts';
import { breedCounts } from '../lib/turkeys/breed-counts.ts';
import { classifyError } from './engine/tally.ts';
import type { Progress } from './progress.ts';
import { breedOrder, REQUEST_ORDER_DESCRIPTION, requestPlan } from './request-order.ts';
import { buildTargetTierResult } from './results/build.ts';
import { attachTierCosts } from './cost/attach.ts';
import { loadPriceTable } from '../lib/cost/prices.ts';
import { collectProvenance } from './results/provenance.ts';
import { SCHEMA_VERSION, type RunSummary, type StageName, type TargetTierResult } from './results/schema.ts';
import { makeRunId, runDir, writeRunFiles } from './results/writer.ts';
import type { HttpTier } from './scenarios.ts';
import { openStage as defaultOpenStage, type OpenedStage, type OpenStageOptions } from './stages.ts';
import { tierTable } from './table.ts';

export interface HttpRunOptions {
  scenario: string;
  tiers: readonly HttpTier[];
  targets: readonly Target[];
  stage: StageName;
  outputsFile?: string;
  /** Open loop at this many requests per second; closed loop when null. */
  rate: number | null;
  warmup: number;
  timeoutMs: number;
  seed: number;
  resultsDir: string;
  /** Worker threads of the load engine (`auto`: defaultWorkers per tier). Default `auto`. */
  workers?: 'auto' | number;
}

export interface HttpRunIo {
  stdout: (text: string) => void;
  log: (line: string) => void;
  progress: Progress;
  /** Aborted on Ctrl-C / SIGTERM: the tier in flight is dropped, finished tiers are kept. */
  signal: AbortSignal;
  openStage?: (options: OpenStageOptions) => Promise<OpenedStage>;
  now?: () => Date;
}

export class StageUnreachableError extends KitError {
  constructor(message: string, context: Record<string, unknown>) {
    super('STAGE_UNREACHABLE', message, { context });
  }
}

/** Runs the tiers against every target (one target at a time), writing the result files after each. */
export async function runHttpScenario(options: HttpRunOptions, io: HttpRunIo): Promise<{ summary: RunSummary; dir: string }> {
  const now = io.now ?? (() => new Date());
  const stage = await (io.openStage ?? defaultOpenStage)({
    stage: options.stage,
    ...(options.outputsFile ? { outputsFile: options.outputsFile } : {}),
    targets: options.targets,
    log: io.log,
  });
  try {
    const urls = targetUrls(stage.outputs);
    await preflight(stage.name, options.targets, urls, Math.min(options.timeoutMs, 10_000));
    const startedAt = now();
    const runId = makeRunId(startedAt, options.scenario);
    const dir = runDir(options.resultsDir, stage.name, runId);
    // Prices read once per run (lib/cost/prices/); the local stage is priced at us-east-1 list prices.
    const prices = loadPriceTable(stage.name === 'local' ? 'us-east-1' : stage.outputs.region);
    const summary: RunSummary = {
      schemaVersion: SCHEMA_VERSION,
      kind: 'api-load',
      runId,
      stage: stage.name,
      complete: false,
      interrupted: false,
      startedAt: startedAt.toISOString(),
      endedAt: null,
      settings: {
        scenario: options.scenario,
        tiers: options.tiers.map((t) => ({ name: t.name, requests: t.requests, concurrency: t.concurrency })),
        targets: [...options.targets],
        mode: options.rate === null ? 'closed' : 'open',
        rate: options.rate,
        warmupPerTarget: options.warmup,
        timeoutMs: options.timeoutMs,
        seed: options.seed,
        requestOrder: REQUEST_ORDER_DESCRIPTION,
        workers: options.workers ?? 'auto',
      },
      provenance: collectProvenance(),
      backend: { region: stage.outputs.region, tableName: stage.outputs.tableName, config: stage.outputs.config ?? null },
      results: [],
    };
    await writeRunFiles(dir, summary);
    io.log(`results: ${dir}`);

    for (const tier of options.tiers) {
      const breeds = breedOrder(options.seed, tier.requests);
      const tierResults: TargetTierResult[] = [];
      for (const target of options.targets) {
        if (io.signal.aborted) break;
        const plan = requestPlan(urls[target], breeds);
        const label = `${tier.name} ${target}`;
        io.progress.start(label, tier.requests);
        const workers = options.workers === undefined || options.workers === 'auto' ? defaultWorkers(tier.concurrency) : options.workers;
        const load = await runLoad({
          origin: plan.origin,
          paths: plan.paths,
          requests: tier.requests,
          concurrency: tier.concurrency,
          workers,
          responseCheck: breedPageCheck(plan.paths, breeds, breedCounts(), DEFAULT_FULL_PARSE_EVERY),
          ...(options.rate !== null ? { rate: options.rate } : {}),
          timeoutMs: options.timeoutMs,
          warmup: options.warmup,
          signal: io.signal,
          onStart: (tally) => io.progress.watch(tally),
        });
        if (load.aborted) {
          io.progress.finish(`${label}: interrupted, not recorded`, false);
          break;
        }
        const result = buildTargetTierResult(
          {
            stage: stage.name,
            scenario: options.scenario,
            tier: tier.name,
            target,
            requests: tier.requests,
            concurrency: tier.concurrency,
            rate: options.rate,
            fullParseEvery: DEFAULT_FULL_PARSE_EVERY,
          },
          load,
        );
        io.progress.finish(
          `${label}: ${result.ok}/${result.requests} ok${result.badBody ? `, ${result.badBody} bad body` : ''}, ${result.throughputRps.toFixed(0)} req/s, p99 ${result.latency?.p99Ms ?? '-'} ms${result.failed ? ' (FAILED)' : ''}${result.client?.clientBound ? ' (CLIENT-BOUND)' : ''}`,
          !result.failed,
        );
        tierResults.push(result);
        summary.results.push(result);
        attachTierCosts(tierResults, stage.name, summary.backend, { table: prices });
        await writeRunFiles(dir, summary);
      }
      if (tierResults.length > 0) io.stdout(`\n${tierTable(tierResults)}\n`);
      if (io.signal.aborted) break;
    }
    summary.complete = !io.signal.aborted;
    summary.interrupted = io.signal.aborted;
    summary.endedAt = now().toISOString();
    await writeRunFiles(dir, summary);
    return { summary, dir };
  } finally {
    await stage.stop();
  }
}

/**
 * One request per target before the run. If no target answers at all (no HTTP status), the stage
 * is unreachable and the run stops with that reason; a target that answers with errors still runs
 * and is reported as failed.
 */
async function preflight(stage: StageName, targets: readonly Target[], urls: Record<Target, string>, timeoutMs: number): Promise<void> {
  const problems: string[] = [];
  for (const target of targets) {
    const url = turkeysUrl(urls[target], BREEDS[0]!);
    try {
      const res = await request(url, { headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
      await res.body.dump();
      return;
    } catch (err) {
      problems.push(`${target} ${new URL(url).origin}: ${classifyError(err)} (${(err as Error).message || (err as { code?: string }).code})`);
    }
  }
  throw new StageUnreachableError(`Stage ${stage} is unreachable: ${problems.join('; ')}.`, { problems });
}
