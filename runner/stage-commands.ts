import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { API_BACKENDS_STACK } from '../lib/stage/outputs.ts';
import { seedTurkeys } from '../lib/turkeys/seed.ts';
import { readOutputsFile, startLocalStageInProcess } from './stages.ts';

/**
 * `node runner stage`: the local stage in this process; its outputs as JSON on stdout (the shape of
 * `cdktf output --outputs-file`), logs on stderr; stops cleanly on SIGINT / SIGTERM.
 */
export async function runStage(): Promise<number> {
  const stage = await startLocalStageInProcess((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify({ [API_BACKENDS_STACK]: stage.outputs }, null, 2)}\n`);
  process.stderr.write('local stage up; Ctrl-C to stop\n');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stderr.write(`${signal}: stopping the local stage\n`);
  await stage.stop();
  return 0;
}

/** `node runner seed --stage aws --outputs FILE`: writes the 10,000 turkeys into the deployed table. */
export async function runSeed(outputsFile: string): Promise<number> {
  const outputs = await readOutputsFile(outputsFile, []);
  const client = new DynamoDBClient({ region: outputs.region, ...(outputs.dynamodbEndpoint ? { endpoint: outputs.dynamodbEndpoint } : {}) });
  try {
    const started = Date.now();
    const count = await seedTurkeys(client, outputs.tableName);
    process.stderr.write(`seeded ${count} turkeys into ${outputs.tableName} (${outputs.region}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } finally {
    client.destroy();
  }
}
