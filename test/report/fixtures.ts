import path from 'node:path';
import { seededRandom } from '../../lib/random.ts';
import type { Target } from '../../lib/stage/targets.ts';
import type { DeliveryRecord } from '../../lib/fanout/emf.ts';
import { hopDurations } from '../../lib/fanout/hops.ts';
import { Tally } from '../../runner/engine/tally.ts';
import { CLOCK_CAVEATS, FANOUT_SCHEMA_VERSION, writeFanoutFiles, type FanoutSummary } from '../../runner/fanout/files.ts';
import { buildFanoutReport, type TaskWindow } from '../../runner/fanout/report.ts';
import type { MutationResult } from '../../runner/fanout/drive.ts';
import { buildTargetTierResult } from '../../runner/results/build.ts';
import { SCHEMA_VERSION, type Provenance, type RunSummary, type TargetTierResult } from '../../runner/results/schema.ts';
import { makeRunId, runDir, writeRunFiles } from '../../runner/results/writer.ts';

/**
 * Result folders made by the runner's own writers (writeRunFiles, writeFanoutFiles) from synthetic
 * tallies, so the reports are tested on the files a real run writes.
 */
/** Uniform [0, 1) from the kit's seeded source. */
function uniform(seed: number): () => number {
  const source = seededRandom(seed);
  return () => source.int(0, 2 ** 30 - 1) / 2 ** 30;
}

export const PROVENANCE: Provenance = {
  runnerVersion: '0.1.0',
  gitCommit: '0123456789abcdef0123456789abcdef01234567',
  gitDirty: false,
  node: 'v20.20.0',
  platform: 'linux',
  arch: 'x64',
  cpus: { count: 2, model: 'Test CPU @ 2.0GHz' },
  memoryBytes: 8 * 2 ** 30,
};

/** A hostile string: must show up as text, never as markup, and never end a script block. */
export const HOSTILE = '</script><script>window.__pwned=1</script><!--';

const TIERS = [
  { name: 'test1', requests: 100, concurrency: 1 },
  { name: 'test2', requests: 500, concurrency: 10 },
];
/** Median latency (ms) per target: different enough that the charts separate them. */
const MEDIANS: Record<Target, number> = { direct: 6, sfn: 38, lambda: 14, apprunner: 22 };

/** One synthetic tier for one target: log-normal latencies; apprunner answers 429 to ~8 % at test2, sfn fails test2 when `failSfn`. */
export function syntheticResult(stage: 'local' | 'aws', scenario: string, tier: (typeof TIERS)[number], target: Target, seed: number, slowdown = 1, failSfn = false): TargetTierResult {
  const random = uniform(seed);
  const tally = new Tally();
  for (let i = 0; i < tier.requests; i++) {
    const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const ms = MEDIANS[target] * slowdown * Math.exp(0.45 * normal) * (tier.concurrency > 1 ? 1.6 : 1);
    if (failSfn && target === 'sfn' && tier.name === 'test2') {
      if (i % 10 === 0) tally.recordError('timeout', 'Headers Timeout Error');
      else tally.recordResponse(503, ms / 4, 60);
    } else if (target === 'apprunner' && tier.name === 'test2' && random() < 0.08) tally.recordResponse(429, ms / 3, 80);
    else if (target === 'lambda' && random() < 0.01) tally.recordError('reset', 'socket hang up');
    else tally.recordResponse(200, ms, 35_000);
  }
  const started = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));
  const wallMs = (tier.requests / tier.concurrency) * MEDIANS[target] * slowdown;
  return buildTargetTierResult(
    { stage, scenario, tier: tier.name, target, requests: tier.requests, concurrency: tier.concurrency, rate: null },
    { tally, startedAt: started, endedAt: new Date(started.getTime() + wallMs), wallMs, aborted: false },
  );
}

export interface ApiRunOptions {
  resultsDir: string;
  startedAt: Date;
  stage?: 'local' | 'aws';
  slowdown?: number;
  failSfn?: boolean;
  seed?: number;
  complete?: boolean;
  config?: Record<string, string | number | boolean> | null;
}

/** Writes an API run folder (summary.json + summary.csv) with test1 and test2 for the four targets. */
export async function writeApiRun(o: ApiRunOptions): Promise<{ dir: string; summary: RunSummary }> {
  const stage = o.stage ?? 'local';
  const scenario = 'test1,test2';
  const runId = makeRunId(o.startedAt, scenario);
  const targets: Target[] = ['direct', 'sfn', 'lambda', 'apprunner'];
  let seed = o.seed ?? 1;
  const results = TIERS.flatMap((tier) => targets.map((target) => syntheticResult(stage, scenario, tier, target, seed++, o.slowdown ?? 1, o.failSfn ?? false)));
  const summary: RunSummary = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'api-load',
    runId,
    stage,
    complete: o.complete ?? true,
    interrupted: false,
    startedAt: o.startedAt.toISOString(),
    endedAt: new Date(o.startedAt.getTime() + 60_000).toISOString(),
    settings: { scenario, tiers: TIERS, targets, mode: 'closed', rate: null, warmupPerTarget: 0, timeoutMs: 30_000, seed: 1, requestOrder: 'breeds in seeded shuffled rounds' },
    provenance: PROVENANCE,
    backend: {
      region: stage === 'local' ? 'local' : 'eu-west-1',
      tableName: 'turkeys',
      config: o.config === undefined ? { lambdaMemoryMb: 1024, lambdaArchitecture: 'arm64', note: HOSTILE } : o.config,
    },
    results,
  };
  const dir = runDir(o.resultsDir, stage, runId);
  await writeRunFiles(dir, summary);
  return { dir, summary };
}

/** Writes a fan-out run folder (summary.json, summary.csv, deliveries.csv) with its own writer: 40 changes, 6 tasks, one task joining late, a few slow deliveries. */
export async function writeFanoutRun(resultsDir: string, startedAt: Date, options: { late?: boolean } = {}): Promise<{ dir: string; summary: FanoutSummary }> {
  const random = uniform(7);
  const t0 = startedAt.getTime();
  const mutations: MutationResult[] = Array.from({ length: 40 }, (_, i) => ({ version: i + 1, sentAt: t0 + i * 100, appsyncMs: 8 + random() * 6, writtenAt: t0 + i * 100 + 5, error: undefined }));
  const tasks: TaskWindow[] = Array.from({ length: 6 }, (_, i) => ({ taskId: `task-${i + 1}`, readyAt: i === 5 ? t0 + 1_550 : t0 - 1_000, stoppedAt: undefined, dlqMessages: 0 }));
  const deliveries: DeliveryRecord[] = [];
  for (const task of tasks) {
    for (const m of mutations) {
      if (task.readyAt > m.sentAt) continue;
      if (task.taskId === 'task-3' && m.version === 17) continue; // one missing delivery
      const written = m.writtenAt!;
      const sns = written + 12 + random() * 10;
      const sent = sns + 3 + random() * 4;
      const slow = options.late && task.taskId === 'task-2' && m.version % 13 === 0 ? 2_200 : 0;
      const firstReceive = sent + 5 + random() * 30 + slow;
      const applied = firstReceive + 1 + random() * 2;
      deliveries.push({
        taskId: task.taskId,
        stateId: 'current',
        version: m.version,
        outcome: task.taskId === 'task-4' && m.version === 9 ? 'duplicate' : 'applied',
        messageId: `${task.taskId}-${m.version}`,
        receiveCount: 1,
        writtenAt: written,
        appliedAt: applied,
        hops: hopDurations({ writtenAt: written, snsTimestamp: sns, sentTimestamp: sent, firstReceiveTimestamp: firstReceive, appliedAt: applied }),
      });
    }
  }
  const report = buildFanoutReport({ mutations, deliveries, tasks, stateId: 'current' });
  const runId = makeRunId(startedAt, 'fanout-quick');
  const summary: FanoutSummary = {
    schemaVersion: FANOUT_SCHEMA_VERSION,
    kind: 'fanout',
    runId,
    stage: 'local',
    scenario: 'fanout-quick',
    complete: true,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date(t0 + 10_000).toISOString(),
    settings: { tasks: 6, iterations: 40, intervalMs: 100, requirementMs: 2000, consumer: { waitTimeS: 20, batchSize: 10 } },
    provenance: PROVENANCE,
    clockCaveats: CLOCK_CAVEATS,
    requirement: report.requirement,
    mutations: report.mutations,
    hops: report.hops,
    totals: report.totals,
    tasks: report.tasks,
  };
  const dir = path.join(resultsDir, 'local', runId);
  await writeFanoutFiles(dir, summary, report);
  return { dir, summary };
}
