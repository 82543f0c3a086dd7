import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lib/errors.ts';
import { DEFAULT_STACK_CONFIG, resolveStackConfig, SETTINGS } from '../../stacks/config.ts';
import { readCdktfContext } from '../../stacks/main.ts';

describe('stack config', () => {
  it('defaults to the settings the issue fixes', () => {
    const c = resolveStackConfig({}, {});
    assert.deepEqual(
      [c.lambdaMemoryMb, c.lambdaArchitecture, c.lambdaRuntime, c.apprunnerCpu, c.apprunnerMemory, c.apprunnerMaxConcurrency, c.apprunnerMinSize, c.apprunnerMaxSize, c.fargateTaskCount, c.processorKind],
      [128, 'arm64', 'nodejs22.x', '1 vCPU', '2 GB', 100, 1, 25, 20, 'lambda'],
    );
    assert.deepEqual(c, DEFAULT_STACK_CONFIG);
  });

  it('accepts the context in cdktf.json, which restates the defaults', () => {
    assert.deepEqual(resolveStackConfig(readCdktfContext(), {}), DEFAULT_STACK_CONFIG);
  });

  it('lets cdktf.json context override a default and the environment override both', () => {
    assert.equal(resolveStackConfig({ fargateTaskCount: 25 }, {}).fargateTaskCount, 25);
    assert.equal(resolveStackConfig({ fargateTaskCount: 25 }, { SST_FARGATE_TASK_COUNT: '5' }).fargateTaskCount, 5);
    assert.equal(resolveStackConfig({}, { SST_PROCESSOR_KIND: 'pipe' }).processorKind, 'pipe');
    assert.equal(resolveStackConfig({}, { SST_REGION: 'eu-west-1' }).region, 'eu-west-1');
    assert.equal(resolveStackConfig({ lambdaMemoryMb: 128 }, { SST_LAMBDA_MEMORY_MB: ' ' }).lambdaMemoryMb, 128, 'a blank variable is unset');
  });

  it('names the setting, the source and what is accepted when a value is wrong', () => {
    const cases: [Record<string, unknown>, Record<string, string>, RegExp][] = [
      [{}, { SST_LAMBDA_MEMORY_MB: 'lots' }, /lambdaMemoryMb must be an integer from 128 to 10240; got "lots" from environment variable SST_LAMBDA_MEMORY_MB/],
      [{ lambdaMemoryMb: 64 }, {}, /lambdaMemoryMb must be an integer from 128 .* from "lambdaMemoryMb" in cdktf.json context/],
      [{ processorKind: 'kinesis' }, {}, /processorKind must be one of "lambda", "pipe"/],
      [{ lambdaRuntime: 'nodejs20.x' }, {}, /nodejs20.x is deprecated/],
      [{ lambdaArchitecture: 'arm' }, {}, /lambdaArchitecture must be one of "arm64", "x86_64"/],
      [{ region: 'Mars' }, {}, /region must be an AWS region name/],
      [{ logRetentionDays: 10 }, {}, /logRetentionDays must be one of the retention periods/],
      [{ logRetentionDays: true }, {}, /logRetentionDays must be one of the retention periods/],
      [{ fargateCpu: [256] }, {}, /fargateCpu must be one of 256, 512/],
      [{ apprunnerMemory: '8 GB' }, {}, /App Runner does not offer 1 vCPU with 8 GB; with 1 vCPU choose apprunnerMemory 2 GB or 3 GB or 4 GB/],
      [{ apprunnerMinSize: 5, apprunnerMaxSize: 2 }, {}, /apprunnerMinSize \(5\) is larger than apprunnerMaxSize \(2\)/],
      [{ apprunnerMaxConcurrency: 201 }, {}, /apprunnerMaxConcurrency must be an integer from 1 to 200/],
      [{ fargateMemoryMb: 4096 }, {}, /Fargate does not offer 256 CPU units with 4096 MiB/],
      [{ fargateCpu: 300 }, {}, /fargateCpu must be one of 256, 512/],
      [{ namePrefix: 'My_Kit' }, {}, /namePrefix must be 2 to 12 lower-case letters/],
    ];
    for (const [context, env, message] of cases) {
      assert.throws(() => resolveStackConfig(context, env), (error: unknown) => error instanceof ConfigError && message.test(error.message), message.source);
    }
  });

  it('has one environment variable per setting, all distinct', () => {
    const names = Object.values(SETTINGS).map((s) => s.env);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^SST_[A-Z0-9_]+$/);
  });
});
