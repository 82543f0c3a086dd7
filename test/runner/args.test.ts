import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand, RUN_DEFAULTS, UsageError, type RunCommand } from '../../runner/cli/args.ts';
import { HTTP_TIERS, resolveScenarios, SCENARIOS } from '../../runner/scenarios.ts';

const run = (...argv: string[]) => {
  const c = parseCommand(argv);
  assert.equal(c.name, 'run');
  return c as RunCommand;
};
const usage = (argv: string[], message: RegExp) => assert.throws(() => parseCommand(argv), (err: unknown) => err instanceof UsageError && message.test(err.message));

describe('scenarios', () => {
  it('has the five tiers of the issue and all = the five in order', () => {
    assert.deepEqual(
      HTTP_TIERS.map((t) => [t.name, t.requests, t.concurrency]),
      [['test1', 100, 1], ['test2', 500, 10], ['test3', 1000, 100], ['test4', 5000, 500], ['test5', 10000, 1000]],
    );
    assert.deepEqual(resolveScenarios('all').tiers.map((t) => t.name), ['test1', 'test2', 'test3', 'test4', 'test5']);
    assert.deepEqual(SCENARIOS.filter((s) => s.kind !== 'http').map((s) => s.name), ['fanout', 'fanout-quick']);
  });
  it('takes comma lists in the given order', () => {
    const r = resolveScenarios(' test3, test1 ');
    assert.deepEqual(r.tiers.map((t) => t.name), ['test3', 'test1']);
    assert.equal(r.label, 'test3,test1');
    assert.equal(r.kind, 'http');
  });
  it('refuses unknown names (listing the valid ones), empty specs, repeated tiers and mixed kinds', () => {
    assert.throws(() => resolveScenarios('test9'), /Unknown scenario "test9"; valid scenarios: test1, test2, test3, test4, test5, all/);
    assert.throws(() => resolveScenarios(' , '), /empty/);
    assert.throws(() => resolveScenarios('all,test1'), /twice/);
    assert.throws(() => resolveScenarios('test1,fanout'), /mixes kinds/);
    assert.throws(() => resolveScenarios('fanout,fanout-quick'), /one fan-out scenario at a time/);
    assert.equal(resolveScenarios('fanout-quick').kind, 'fanout');
  });
});

describe('parseCommand', () => {
  it('parity: local stage by default, or aws with an outputs file', () => {
    assert.deepEqual(parseCommand(['parity']), { name: 'parity', stage: 'local', targets: ['direct', 'sfn', 'lambda', 'apprunner'] });
    assert.deepEqual(parseCommand(['parity', '--stage', 'aws', '--outputs', 'o.json', '--targets', 'sfn,direct']), {
      name: 'parity',
      stage: 'aws',
      outputsFile: 'o.json',
      targets: ['direct', 'sfn'],
    });
  });
  it('fan-out scenarios take --tasks, --iterations and --interval overrides', () => {
    const c = run('--scenario', 'fanout-quick', '--tasks', '4', '--iterations', '10', '--interval', '50');
    assert.equal(c.scenario.kind, 'fanout');
    assert.deepEqual(c.fanout, { tasks: 4, iterations: 10, intervalMs: 50 });
    assert.deepEqual(run('--scenario', 'fanout').fanout, {});
    assert.deepEqual(run('--scenario', 'fanout', '--fault', 'poison,stop-task,poison', '--processor', 'pipe').fanout, { faults: ['poison', 'stop-task'], processor: 'pipe' });
    const aws = run('--scenario', 'fanout-quick', '--stage', 'aws', '--outputs', 'o.json', '--fault', 'scale');
    assert.equal(aws.stage, 'aws');
    assert.deepEqual(aws.fanout, { faults: ['scale'] });
  });

  it('defaults: all tiers, all targets, local stage, closed loop', () => {
    const c = run();
    assert.equal(c.scenario.label, 'all');
    assert.deepEqual(c.targets, ['direct', 'sfn', 'lambda', 'apprunner']);
    assert.equal(c.stage, 'local');
    assert.equal(c.rate, null);
    assert.equal(c.warmup, RUN_DEFAULTS.warmup);
    assert.equal(c.timeoutMs, RUN_DEFAULTS.timeoutMs);
    assert.equal(c.seed, 1);
    assert.equal(c.resultsDir, 'results');
    assert.deepEqual(parseCommand(['run', '--scenario', 'test2']).name, 'run');
  });
  it('reads every run flag', () => {
    const c = run('--scenario', 'test1,test2', '--targets', 'lambda,direct', '--stage', 'aws', '--outputs', 'o.json', '--rate', '12.5', '--warmup', '5', '--timeout', '2000', '--seed', '42', '--results-dir', '/tmp/r');
    assert.deepEqual(c.scenario.tiers.map((t) => t.name), ['test1', 'test2']);
    assert.deepEqual(c.targets, ['direct', 'lambda']);
    assert.equal(c.stage, 'aws');
    assert.equal(c.outputsFile, 'o.json');
    assert.equal(c.rate, 12.5);
    assert.equal(c.warmup, 5);
    assert.equal(c.timeoutMs, 2000);
    assert.equal(c.seed, 42);
    assert.equal(c.resultsDir, '/tmp/r');
  });
  it('--workers N | auto and --strict', () => {
    assert.equal(run().workers, 'auto');
    assert.equal(run().strict, false);
    assert.equal(run('--workers', '3').workers, 3);
    assert.equal(run('--workers', 'auto').workers, 'auto');
    assert.equal(run('--strict').strict, true);
    usage(['--workers', '0'], /--workers/);
    usage(['--workers', 'many'], /--workers/);
  });
  it('reads diff, stage and seed', () => {
    assert.deepEqual(parseCommand(['diff', 'a', 'b', '--format', 'md']), { name: 'diff', runA: 'a', runB: 'b', format: 'md', resamples: 1000, seed: 1 });
    assert.deepEqual(parseCommand(['stage']), { name: 'stage' });
    assert.deepEqual(parseCommand(['seed', '--stage', 'aws', '--outputs', 'o.json']), { name: 'seed', outputsFile: 'o.json' });
  });
  it('returns help text instead of exiting', () => {
    const h = parseCommand(['--help']);
    assert.equal(h.name, 'help');
    assert.match((h as { text: string }).text, /--scenario/);
    assert.match((parseCommand(['diff', '--help']) as { text: string }).text, /bootstrap/);
  });
  it('refuses every bad input with a one-line reason', () => {
    usage(['--scenario', 'nope'], /Unknown scenario "nope"; valid scenarios: .*all/);
    usage(['--targets', 'direct,ec2'], /unknown target "ec2"; valid targets: direct, sfn, lambda, apprunner/);
    usage(['--targets', ''], /at least one/);
    usage(['--stage', 'gcp'], /Allowed choices are local, aws/);
    usage(['--stage', 'aws'], /needs --outputs FILE/);
    usage(['--outputs', 'o.json'], /only read with --stage aws/);
    usage(['--rate', '0'], /--rate.*above 0/);
    usage(['--rate', 'fast'], /--rate/);
    usage(['--warmup', '-1'], /--warmup.*integer from 0/);
    usage(['--timeout', '1.5'], /--timeout.*integer/);
    usage(['--timeout', '60001'], /--timeout.*to 60000/);
    usage(['--seed', 'x'], /--seed/);
    usage(['--bogus'], /unknown option '--bogus'/);
    usage(['run', 'extra'], /too many arguments|unknown command|excess/i);
    usage(['diff', 'a'], /missing required argument 'runB'/);
    usage(['diff', 'a', 'b', '--format', 'pdf'], /Allowed choices are text, md, json/);
    usage(['seed', '--outputs', 'o.json'], /--stage/);
    usage(['seed', '--stage', 'local', '--outputs', 'o.json'], /Allowed choices are aws/);
    usage(['--scenario', 'test1', '--tasks', '5'], /apply to the fan-out scenarios/);
    usage(['parity', '--stage', 'aws'], /needs --outputs FILE/);
    usage(['parity', '--targets', 'lambda'], /at least two/);
    usage(['--scenario', 'fanout-quick', '--stage', 'aws', '--outputs', 'o.json', '--tasks', '3'], /task count is the ECS service/);
    usage(['--scenario', 'fanout-quick', '--fault', 'meteor'], /unknown fault "meteor"/);
    usage(['--scenario', 'test1', '--fault', 'poison'], /apply to the fan-out scenarios/);
    usage(['--scenario', 'fanout-quick', '--rate', '5'], /--rate applies to the API scenarios/);
    usage(['--scenario', 'fanout-quick', '--tasks', '0'], /--tasks.*integer from 1/);
    for (const argv of [['--scenario', 'nope'], ['--bogus'], ['--rate', '0']]) {
      assert.throws(() => parseCommand(argv), (err: Error) => !err.message.includes('\n'));
    }
  });
});
