import { KitError } from '../lib/errors.ts';
import { parseCommand, UsageError, type CliCommand, type RunCommand } from './cli/args.ts';
import { compareRuns } from './diff/compare.ts';
import { DIFF_FORMATTERS } from './diff/format.ts';
import { loadRunSummary } from './diff/load.ts';
import { writeDiffReport, writeHistoryReport, writeRunReport } from './report/write.ts';
import { createProgress } from './progress.ts';
import { runHttpScenario } from './run.ts';
import { checkParity, formatParityReport, formatProbeResults, runProbes } from './parity.ts';
import { openStage } from './stages.ts';
import { targetUrls } from '../lib/stage/outputs.ts';
import { formatFanoutResult, runFanoutScenario } from './fanout/run-fanout.ts';
import type { FanoutScenario } from './fanout/scenarios.ts';
import type { ScenarioKind } from './scenarios.ts';
import { runSeed, runStage } from './stage-commands.ts';

/** Exit codes: 0 ok, 1 failure (unreachable stage, unreadable file, ...), 2 bad command line, 130 interrupted. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Runners per scenario kind. The fan-out benchmark (runner/fanout/) plugs in as `fanout`. */
const SCENARIO_RUNNERS: Record<ScenarioKind, (command: RunCommand, signal: AbortSignal) => Promise<number>> = {
  http: async (command, signal) => {
    const { summary, dir } = await runHttpScenario(
      {
        scenario: command.scenario.label,
        tiers: command.scenario.tiers,
        targets: command.targets,
        stage: command.stage,
        ...(command.outputsFile ? { outputsFile: command.outputsFile } : {}),
        rate: command.rate,
        warmup: command.warmup,
        timeoutMs: command.timeoutMs,
        seed: command.seed,
        resultsDir: command.resultsDir,
        workers: command.workers,
      },
      {
        stdout: (text) => process.stdout.write(`${text}\n`),
        log: (line) => process.stderr.write(`${line}\n`),
        progress: createProgress(process.stderr),
        signal,
      },
    );
    process.stderr.write(`${summary.complete ? 'run complete' : 'run interrupted; finished tiers kept'}: ${dir}\n`);
    if (command.report) process.stderr.write(`report: ${await writeRunReport(dir)}\n`);
    const bound = summary.results.filter((r) => r.client?.clientBound);
    if (bound.length > 0) {
      process.stderr.write(
        `${command.strict ? 'error' : 'warning'}: the load generator was the limit (client-bound) in ${bound.map((r) => `${r.tier} ${r.target}`).join(', ')}; ` +
          `their latencies are inflated. Use more --workers, a bigger machine, or --load-from lambda.\n`,
      );
    }
    if (!summary.complete) return EXIT.interrupted;
    return command.strict && bound.length > 0 ? EXIT.failure : EXIT.ok;
  },
  fanout: async (command, signal) => {
    const name = command.scenario.label as FanoutScenario['name'];
    const log = (line: string) => void process.stderr.write(`${line}\n`);
    const result =
      command.stage === 'aws'
        ? await (await import('./fanout/aws.ts')).runFanoutOnAws({
            name,
            outputsFile: command.outputsFile!,
            ...(command.fanout.iterations !== undefined ? { iterations: command.fanout.iterations } : {}),
            ...(command.fanout.intervalMs !== undefined ? { intervalMs: command.fanout.intervalMs } : {}),
            ...(command.fanout.processor !== undefined ? { processor: command.fanout.processor } : {}),
            ...(command.fanout.faults !== undefined ? { faults: command.fanout.faults } : {}),
            resultsDir: command.resultsDir,
            log,
            signal,
          })
        : await runFanoutScenario({ name, ...command.fanout, resultsDir: command.resultsDir, stage: 'local', log, signal });
    process.stdout.write(`${formatFanoutResult(result)}\n`);
    if (command.report) process.stderr.write(`report: ${await writeRunReport(result.runDir)}\n`);
    return result.summary.complete ? EXIT.ok : EXIT.interrupted;
  },
};

async function execute(command: CliCommand): Promise<number> {
  switch (command.name) {
    case 'help':
      process.stdout.write(command.text);
      return EXIT.ok;
    case 'run': {
      const controller = new AbortController();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        signals++;
        if (signals > 1) process.exit(EXIT.interrupted);
        process.stderr.write(`\n${signal}: stopping after writing the finished tiers (again to quit now)\n`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        return await SCENARIO_RUNNERS[command.scenario.kind](command, controller.signal);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }
    case 'diff': {
      const [a, b] = await Promise.all([loadRunSummary(command.runA), loadRunSummary(command.runB)]);
      const report = compareRuns(a, b, { resamples: command.resamples, seed: command.seed });
      process.stdout.write(`${DIFF_FORMATTERS[command.format](report)}\n`);
      if (command.html) {
        await writeDiffReport(report, command.html);
        process.stderr.write(`html: ${command.html}\n`);
      }
      return EXIT.ok;
    }
    case 'report': {
      if (command.history !== undefined) {
        const { file, runs, skipped } = await writeHistoryReport(command.history);
        for (const s of skipped) process.stderr.write(`skipped ${s.name}: ${s.reason}\n`);
        process.stdout.write(`${file} (${runs} run${runs === 1 ? '' : 's'})\n`);
      } else {
        process.stdout.write(`${await writeRunReport(command.run)}\n`);
      }
      return EXIT.ok;
    }
    case 'stage':
      return runStage();
    case 'parity': {
      const stage = await openStage({
        stage: command.stage,
        targets: command.targets,
        log: (line) => process.stderr.write(`${line}\n`),
        ...(command.outputsFile ? { outputsFile: command.outputsFile } : {}),
      });
      try {
        const urls = targetUrls(stage.outputs);
        // Probes first: how AWS answers what nobody has recorded; printed, never counted as differences.
        process.stdout.write(`${formatProbeResults(await runProbes(urls, command.targets), stage.name)}\n`);
        const report = await checkParity(urls, command.targets);
        process.stdout.write(`${formatParityReport(report, stage.name)}\n`);
        return report.failures.length === 0 ? EXIT.ok : EXIT.failure;
      } finally {
        await stage.stop();
      }
    }
    case 'seed':
      return runSeed(command.outputsFile);
    case 'calibrate': {
      const { calibrate, formatCalibration } = await import('./calibrate/calibrate.ts');
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      try {
        const { calibration, file } = await calibrate(command.options, { log: (line) => process.stderr.write(`${line}\n`), signal: controller.signal });
        if (controller.signal.aborted) {
          process.stderr.write('calibration interrupted; nothing written\n');
          return EXIT.interrupted;
        }
        process.stdout.write(`${formatCalibration(calibration, file)}\n`);
        return EXIT.ok;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    }
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await execute(parseCommand(argv));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`runner: ${err.message} (see --help)\n`);
      return EXIT.usage;
    }
    if (err instanceof KitError) {
      process.stderr.write(`runner: ${err.message}\n`);
      return EXIT.failure;
    }
    process.stderr.write(`runner: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.failure;
  }
}

process.exitCode = await main(process.argv.slice(2));
