import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../../lib/errors.ts';
import { TARGETS, type Target } from '../../lib/stage/targets.ts';
import type { StageName } from '../results/schema.ts';
import { resolveScenarios, type ResolvedScenarios } from '../scenarios.ts';
import os from 'node:os';
import { CALIBRATE_DEFAULTS, type CalibrateOptions } from '../calibrate/calibrate.ts';
import { CALIBRATE_HELP_FOOTER, DIFF_HELP_FOOTER, REPORT_HELP_FOOTER, RUN_HELP_FOOTER } from './help.ts';

/** Defaults of `node runner` (the run command), in one place. */
export const RUN_DEFAULTS = {
  scenario: 'all',
  targets: TARGETS.join(','),
  stage: 'local' as StageName,
  warmup: 0,
  timeoutMs: 30_000,
  seed: 1,
  resultsDir: 'results',
  /** `auto`: runner/engine/load.ts defaultWorkers (one thread per 100 connections, at most one per CPU). */
  workers: 'auto' as 'auto' | number,
  strict: false,
};

export const DIFF_FORMATS = ['text', 'md', 'json', 'html'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export interface RunCommand {
  name: 'run';
  scenario: ResolvedScenarios;
  targets: Target[];
  stage: StageName;
  outputsFile?: string;
  rate: number | null;
  warmup: number;
  timeoutMs: number;
  seed: number;
  resultsDir: string;
  /** Write report.html into the run folder at the end (`--no-report` turns it off). */
  report: boolean;
  /** Worker threads of the load engine, or `auto`. */
  workers: 'auto' | number;
  /** Exit non-zero when a tier was client-bound (the load generator was the limit). */
  strict: boolean;
  /** Fan-out scenarios only: overrides of the preset (runner/fanout/scenarios.ts). */
  fanout: { tasks?: number; iterations?: number; intervalMs?: number; processor?: 'lambda' | 'pipe'; faults?: ('stop-task' | 'scale' | 'poison')[] };
}
export interface DiffCommand {
  name: 'diff';
  runA: string;
  runB: string;
  format: DiffFormat;
  resamples: number;
  seed: number;
  /** Also write the comparison as a self-contained HTML page to this file. */
  html?: string;
}
/** `node runner report <run>` or `node runner report --history <results-dir>/<stage>`. */
export type ReportCommand = { name: 'report'; run: string; history?: undefined } | { name: 'report'; history: string; run?: undefined };
export interface StageCommand {
  name: 'stage';
}
/** `node runner parity`: do all targets answer every parity case identically? */
export interface ParityCommand {
  name: 'parity';
  stage: StageName;
  outputsFile?: string;
  targets: Target[];
}
export interface SeedCommand {
  name: 'seed';
  outputsFile: string;
}
/** `node runner calibrate`: how much load this machine generates before it measures itself. */
export interface CalibrateCommand {
  name: 'calibrate';
  options: CalibrateOptions;
}
export interface HelpCommand {
  name: 'help';
  text: string;
}
export type CliCommand = RunCommand | DiffCommand | ReportCommand | StageCommand | ParityCommand | SeedCommand | CalibrateCommand | HelpCommand;

/** A bad command line; `message` is the one-line reason. */
export class UsageError extends ConfigError {}

const int = (min: number, max: number) => (raw: string) => {
  const value = Number(raw);
  if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`must be an integer from ${min} to ${max}.`);
  }
  return value;
};
const positiveNumber = (max: number) => (raw: string) => {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) throw new InvalidArgumentError(`must be a number above 0 and at most ${max}.`);
  return value;
};
const workerCount = (raw: string): 'auto' | number => (raw.trim() === 'auto' ? 'auto' : int(1, 64)(raw));
const FAULTS = ['stop-task', 'scale', 'poison'] as const;
const faultList = (raw: string): (typeof FAULTS)[number][] => {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError(`must name at least one of ${FAULTS.join(', ')}.`);
  for (const name of names) if (!(FAULTS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown fault "${name}"; faults: ${FAULTS.join(', ')}.`);
  return [...new Set(names)] as (typeof FAULTS)[number][];
};
const targetList = (raw: string): Target[] => {
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new InvalidArgumentError(`must name at least one of ${TARGETS.join(', ')}.`);
  for (const name of names) {
    if (!(TARGETS as readonly string[]).includes(name)) throw new InvalidArgumentError(`unknown target "${name}"; valid targets: ${TARGETS.join(', ')}.`);
  }
  return TARGETS.filter((t) => names.includes(t));
};

const workerList = (raw: string, cores: number): number[] => {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError('--workers needs at least one worker count.');
  const counts = items.map((item) => {
    const n = Number(item);
    if (!/^\d+$/.test(item) || n < 1 || n > cores) throw new UsageError(`--workers: "${item}" is not a worker count from 1 to ${cores} (the cores of this machine).`);
    return n;
  });
  return [...new Set(counts)].sort((a, b) => a - b);
};

/** Parses `node runner ...` arguments (without `node runner`). Never exits; throws UsageError. */
export function parseCommand(argv: readonly string[]): CliCommand {
  let result: CliCommand | undefined;
  let helpText = '';
  const program = new Command('runner')
    .description('Loads the api-backends targets with fixed tiers, writes results, compares runs.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (helpText += s), writeErr: (s) => (helpText += s), outputError: () => {} })
    .showSuggestionAfterError(false)
    .allowExcessArguments(false);

  const run = program
    .command('run', { isDefault: true })
    .description('run load tiers against the targets (the default command)')
    .option('-s, --scenario <names>', 'scenario name or comma list', RUN_DEFAULTS.scenario)
    .option('-t, --targets <list>', 'comma list of targets', targetList)
    .addOption(new Option('--stage <stage>', 'where the targets run').choices(['local', 'aws']).default(RUN_DEFAULTS.stage))
    .option('-o, --outputs <file>', 'with --stage aws: the JSON written by `cdktf output --outputs-file`')
    .option('-r, --rate <rps>', 'open loop: requests per second (latency from intended send time)', positiveNumber(100_000))
    .option('-w, --warmup <n>', 'unrecorded requests per target before each tier', int(0, 100_000), RUN_DEFAULTS.warmup)
    .option('--timeout <ms>', 'per-request timeout in milliseconds (to headers, and between body chunks)', int(1, 60_000), RUN_DEFAULTS.timeoutMs)
    .option('--seed <n>', 'seed of the request order', int(0, 2 ** 31 - 1), RUN_DEFAULTS.seed)
    .option('--results-dir <dir>', 'where run folders are written', RUN_DEFAULTS.resultsDir)
    .option('--no-report', 'do not write report.html into the run folder at the end')
    .option('--workers <n|auto>', 'worker threads of the load engine (auto: one per 100 connections, at most one per CPU)', workerCount, RUN_DEFAULTS.workers)
    .option('--strict', 'exit 1 when a tier was client-bound (the load generator, not the target, was the limit)', RUN_DEFAULTS.strict)
    .option('--tasks <n>', 'fan-out: consumer tasks (overrides the scenario)', int(1, 200))
    .option('--iterations <n>', 'fan-out: mutations to send (overrides the scenario)', int(1, 1_000_000))
    .option('--interval <ms>', 'fan-out: milliseconds between mutations (overrides the scenario)', int(0, 3_600_000))
    .option('--fault <list>', 'fan-out: faults to inject during the run, comma list of stop-task, scale, poison', faultList)
    .addOption(new Option('--processor <kind>', 'fan-out: stream processor, the Lambda or the EventBridge Pipe (local stage; on AWS the deployed one)').choices(['lambda', 'pipe']))
    .addHelpText('after', RUN_HELP_FOOTER)
    .action((opts: Record<string, unknown>) => {
      const stage = opts['stage'] as StageName;
      const outputsFile = opts['outputs'] as string | undefined;
      if (stage === 'aws' && !outputsFile) throw new UsageError('--stage aws needs --outputs FILE (the JSON written by `cdktf output --outputs-file FILE`).');
      if (stage === 'local' && outputsFile) throw new UsageError('--outputs is only read with --stage aws.');
      let scenario: ResolvedScenarios;
      try {
        scenario = resolveScenarios(opts['scenario'] as string);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
      const fanout = {
        ...(opts['tasks'] !== undefined ? { tasks: opts['tasks'] as number } : {}),
        ...(opts['iterations'] !== undefined ? { iterations: opts['iterations'] as number } : {}),
        ...(opts['interval'] !== undefined ? { intervalMs: opts['interval'] as number } : {}),
        ...(opts['processor'] !== undefined ? { processor: opts['processor'] as 'lambda' | 'pipe' } : {}),
        ...(opts['fault'] !== undefined ? { faults: opts['fault'] as (typeof FAULTS)[number][] } : {}),
      };
      if (scenario.kind === 'http' && Object.keys(fanout).length > 0) {
        throw new UsageError('--tasks, --iterations, --interval, --processor and --fault apply to the fan-out scenarios (fanout, fanout-quick) only.');
      }
      if (scenario.kind === 'fanout') {
        if (stage === 'aws' && fanout.tasks !== undefined) {
          throw new UsageError('--tasks is a local-stage option: on AWS the task count is the ECS service\'s (stack setting fargateTaskCount).');
        }
        for (const flag of ['targets', 'rate'] as const) {
          if (opts[flag] !== undefined) throw new UsageError(`--${flag} applies to the API scenarios (test1..test5, all), not to ${scenario.label}.`);
        }
      }
      result = {
        name: 'run',
        scenario,
        fanout,
        targets: (opts['targets'] as Target[] | undefined) ?? [...TARGETS],
        stage,
        ...(outputsFile ? { outputsFile } : {}),
        rate: (opts['rate'] as number | undefined) ?? null,
        warmup: opts['warmup'] as number,
        timeoutMs: opts['timeout'] as number,
        seed: opts['seed'] as number,
        resultsDir: opts['resultsDir'] as string,
        report: opts['report'] !== false,
        workers: opts['workers'] as 'auto' | number,
        strict: opts['strict'] === true,
      };
    });

  program.addHelpText('after', () => `\nThe default command is run (\`node runner [options]\`):\n\n${run.helpInformation()}${RUN_HELP_FOOTER}`);

  program
    .command('diff')
    .description('compare two runs (folders or summary.json files)')
    .argument('<runA>', 'the baseline run')
    .argument('<runB>', 'the run compared with it')
    .addOption(new Option('-f, --format <format>', 'output format').choices([...DIFF_FORMATS]).default('text'))
    .option('--resamples <n>', 'bootstrap resamples per metric', int(100, 100_000), 1_000)
    .option('--seed <n>', 'seed of the bootstrap', int(0, 2 ** 31 - 1), 1)
    .option('--html <file>', 'also write the comparison as charts to this HTML file')
    .addHelpText('after', DIFF_HELP_FOOTER)
    .action((runA: string, runB: string, opts: Record<string, unknown>) => {
      const html = opts['html'] as string | undefined;
      result = { name: 'diff', runA, runB, format: opts['format'] as DiffFormat, resamples: opts['resamples'] as number, seed: opts['seed'] as number, ...(html ? { html } : {}) };
    });

  program
    .command('report')
    .description('write report.html into a run folder, or history.html across the runs of a stage folder')
    .argument('[run]', 'a run folder (or its summary.json)')
    .option('--history <dir>', 'a stage folder (<results-dir>/<stage>): write history.html there')
    .addHelpText('after', REPORT_HELP_FOOTER)
    .action((run: string | undefined, opts: Record<string, unknown>) => {
      const history = opts['history'] as string | undefined;
      if (run !== undefined && history !== undefined) throw new UsageError('report takes a run folder or --history <dir>, not both.');
      if (history !== undefined) result = { name: 'report', history };
      else if (run !== undefined) result = { name: 'report', run };
      else throw new UsageError('report needs a run folder (node runner report results/local/RUN) or --history results/local.');
    });

  program
    .command('stage')
    .description('start the local stage, print its outputs as JSON on stdout, keep it up until Ctrl-C')
    .action(() => {
      result = { name: 'stage' };
    });

  program
    .command('parity')
    .description('check that every target answers every parity case (all breeds, edge cases) with the same status and body')
    .option('-t, --targets <list>', 'comma list of targets', targetList)
    .addOption(new Option('--stage <stage>', 'where the targets run').choices(['local', 'aws']).default(RUN_DEFAULTS.stage))
    .option('-o, --outputs <file>', 'with --stage aws: the JSON written by `cdktf output --outputs-file`')
    .action((opts: Record<string, unknown>) => {
      const stage = opts['stage'] as StageName;
      const outputsFile = opts['outputs'] as string | undefined;
      if (stage === 'aws' && !outputsFile) throw new UsageError('--stage aws needs --outputs FILE (the JSON written by `cdktf output --outputs-file FILE`).');
      if (stage === 'local' && outputsFile) throw new UsageError('--outputs is only read with --stage aws.');
      const targets = (opts['targets'] as Target[] | undefined) ?? [...TARGETS];
      if (targets.length < 2) throw new UsageError('parity compares targets: name at least two.');
      result = { name: 'parity', stage, targets, ...(outputsFile ? { outputsFile } : {}) };
    });

  program
    .command('seed')
    .description('seed a deployed turkeys table with the 10,000 generated turkeys')
    .addOption(new Option('--stage <stage>', 'only aws: the local stage seeds itself').choices(['aws']).makeOptionMandatory())
    .requiredOption('-o, --outputs <file>', 'the JSON written by `cdktf output --outputs-file`')
    .action((opts: Record<string, unknown>) => {
      result = { name: 'seed', outputsFile: opts['outputs'] as string };
    });

  const cores = os.availableParallelism?.() ?? os.cpus().length;
  program
    .command('calibrate')
    .description('find the highest concurrency this machine drives with p50 within 10 % of a delay server\'s latency, per worker count')
    .option('--delay-ms <ms>', 'the delay server answers after this many milliseconds', int(0, 10_000), CALIBRATE_DEFAULTS.delayMs)
    .option('--body-kb <kb>', 'body size of each answer in KiB', positiveNumber(10_240), CALIBRATE_DEFAULTS.bodyKb)
    .option('--workers <list>', `worker counts to calibrate, comma list (default 1..${cores}, the cores)`)
    .option('--tolerance <percent>', 'allowed p50 inflation over the server\'s real latency, in percent', positiveNumber(100), CALIBRATE_DEFAULTS.tolerance * 100)
    .option('--max-concurrency <n>', 'search ceiling', int(1, 20_000), CALIBRATE_DEFAULTS.maxConcurrency)
    .option('--budget <s>', 'seconds per worker count, at most', int(5, 3_600), CALIBRATE_DEFAULTS.budgetSeconds)
    .option('--out <file>', 'write the calibration here instead of .sst/calibration/<machine-id>.json')
    .addHelpText('after', CALIBRATE_HELP_FOOTER)
    .action((opts: Record<string, unknown>) => {
      const workers = opts['workers'] === undefined ? Array.from({ length: cores }, (_, i) => i + 1) : workerList(opts['workers'] as string, cores);
      const out = opts['out'] as string | undefined;
      result = {
        name: 'calibrate',
        options: {
          delayMs: opts['delayMs'] as number,
          bodyKb: opts['bodyKb'] as number,
          workers,
          tolerance: (opts['tolerance'] as number) / 100,
          startConcurrency: CALIBRATE_DEFAULTS.startConcurrency,
          maxConcurrency: opts['maxConcurrency'] as number,
          maxProbes: CALIBRATE_DEFAULTS.maxProbes,
          budgetSeconds: opts['budget'] as number,
          rounds: CALIBRATE_DEFAULTS.rounds,
          timeoutMs: CALIBRATE_DEFAULTS.timeoutMs,
          ...(out ? { out } : {}),
        },
      };
    });

  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return { name: 'help', text: helpText };
      throw new UsageError(err.message.replace(/^error:\s*/, '').split('\n')[0]!);
    }
    throw err;
  }
  if (!result) throw new UsageError('nothing to do; see --help.');
  return result;
}
