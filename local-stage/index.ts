import type { ApiBackendsOutputs } from '../lib/stage/outputs.ts';
import type { StackConfig } from '../stacks/config.ts';
import { TURKEYS_TABLE } from '../lib/turkeys/table.ts';
import { seedTurkeys } from '../lib/turkeys/seed.ts';
import { buildBundles } from '../scripts/build-bundles.ts';
import { API_STAGE_BUNDLES } from './bundles.ts';
import { startLocalGateway } from './apigateway/gateway.ts';
import { createTurkeysTable, startLocalDynamo } from './dynamodb.ts';
import { createTurkeysLambdaPool } from './lambda-function.ts';
import { localStackConfig } from './stack-config.ts';
import { LOCAL_REGION } from './local-aws.ts';
import { startServiceProcess } from './service-process.ts';
import { CleanupStack } from './cleanup-stack.ts';
import { throttledErrorLog } from './error-log.ts';

export interface LocalStage {
  /** The same shape the runner reads from `cdktf output` of the api-backends stack. */
  outputs: ApiBackendsOutputs;
  /** Process ids this stage started (its own, when spawned, and the service's), for leak checks. */
  pids: number[];
  stop(): Promise<void>;
}

export interface LocalStageOptions {
  log?: (line: string) => void;
  /** Number of turkeys to seed (10,000 by default, like the deployed table). */
  turkeys?: number;
}


/**
 * Brings the API benchmark up on loopback in this process: dynalite with the `turkeys` table seeded
 * through the SDK, the local API Gateway (real VTL, real ASL, the Lambda bundle), and the Express
 * service as its own process. `stop()` undoes everything, also after a partial start.
 */
export async function startLocalStage(options: LocalStageOptions = {}): Promise<LocalStage> {
  const log = options.log ?? (() => {});
  const cleanups = new CleanupStack('local stage');
  const { stop } = cleanups;
  try {
    const started = Date.now();
    const built = await buildBundles(API_STAGE_BUNDLES);
    log(`bundles built: ${built.map((b) => `${b.spec.outfile} ${(b.bytes / 1024).toFixed(0)} KiB`).join(', ')}`);

    const dynamo = await startLocalDynamo();
    cleanups.push(dynamo.close);
    const tableName = TURKEYS_TABLE.name;
    await createTurkeysTable(dynamo.client, tableName);
    const seeded = await seedTurkeys(dynamo.client, tableName, undefined, { parallel: 4 });
    log(`dynalite ${dynamo.endpoint}: table ${tableName} seeded with ${seeded} turkeys`);

    const settings = localStackConfig();
    const lambdaPool = createTurkeysLambdaPool({ tableName, dynamodbEndpoint: dynamo.endpoint, instanceLimit: settings.localLambdaInstances, memoryMb: settings.lambdaMemoryMb });
    const errors = throttledErrorLog(log);
    const gateway = await startLocalGateway({ dynamodb: dynamo.client, tableName, lambdaHandler: lambdaPool.handler, log: errors.log });
    cleanups.push(async () => {
      await gateway.close();
      errors.flush();
      const pool = lambdaPool.stats();
      if (pool.created > 0) log(`local Lambda host: ${pool.created} instance(s) created (cold starts), ${pool.waited} request(s) waited at the limit of ${settings.localLambdaInstances}`);
    });

    const service = await startServiceProcess({ tableName, dynamodbEndpoint: dynamo.endpoint, log });
    cleanups.push(() => service.process.stop());
    log(`local stage up in ${Date.now() - started} ms`);

    return {
      outputs: {
        directUrl: `${gateway.url}/direct`,
        sfnUrl: `${gateway.url}/sfn`,
        lambdaUrl: `${gateway.url}/lambda`,
        apprunnerUrl: service.url,
        tableName,
        region: LOCAL_REGION,
        dynamodbEndpoint: dynamo.endpoint,
        config: localStageConfig(settings),
      },
      pids: [process.pid, service.process.child.pid!],
      stop,
    };
  } catch (error) {
    await stop().catch((cleanupError: unknown) => log(`cleanup after a failed start also failed: ${String(cleanupError)}`));
    throw error;
  }
}

/** What the local stage is, recorded with every result so nobody mistakes it for AWS. */
export function localStageConfig(settings: StackConfig = localStackConfig()): Record<string, string | number | boolean> {
  return {
    // The stack settings the local stage honours (or prices with: memory and sizes only enter the cost estimate).
    lambdaMemoryMb: settings.lambdaMemoryMb,
    lambdaArchitecture: settings.lambdaArchitecture,
    localLambdaInstances: settings.localLambdaInstances,
    apprunnerCpu: settings.apprunnerCpu,
    apprunnerMemory: settings.apprunnerMemory,
    stage: 'local',
    dynamodb: 'dynalite 4 (in the stage process)',
    direct: 'local API Gateway: real VTL rendered by velocityjs',
    sfn: 'local API Gateway: real ASL run by aws-local-stepfunctions',
    lambda: `Lambda bundle in the stage process as a pool of up to ${settings.localLambdaInstances} instances, one request each, module loaded afresh per instance (Node ${process.version}, no sandbox, no memory limit)`,
    apprunner: `Express bundle as its own process (Node ${process.version})`,
  };
}
