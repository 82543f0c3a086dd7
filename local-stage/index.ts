import type { ApiBackendsOutputs } from '../lib/stage/outputs.ts';
import { TURKEYS_TABLE } from '../lib/turkeys/table.ts';
import { seedTurkeys } from '../lib/turkeys/seed.ts';
import { buildBundles } from '../scripts/build-bundles.ts';
import { API_STAGE_BUNDLES } from './bundles.ts';
import { startLocalGateway } from './apigateway/gateway.ts';
import { createTurkeysTable, startLocalDynamo } from './dynamodb.ts';
import { loadTurkeysLambda } from './lambda-function.ts';
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

    const lambdaHandler = await loadTurkeysLambda({ tableName, dynamodbEndpoint: dynamo.endpoint });
    const errors = throttledErrorLog(log);
    const gateway = await startLocalGateway({ dynamodb: dynamo.client, tableName, lambdaHandler, log: errors.log });
    cleanups.push(async () => {
      await gateway.close();
      errors.flush();
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
        config: localStageConfig(),
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
export function localStageConfig(): Record<string, string | number | boolean> {
  return {
    stage: 'local',
    dynamodb: 'dynalite 4 (in the stage process)',
    direct: 'local API Gateway: real VTL rendered by velocityjs',
    sfn: 'local API Gateway: real ASL run by aws-local-stepfunctions',
    lambda: `Lambda bundle in the stage process (Node ${process.version}, no sandbox, no memory limit)`,
    apprunner: `Express bundle as its own process (Node ${process.version})`,
  };
}
