import { ConfigError } from '../errors.ts';

/** The stack key of the fan-out outputs in the outputs file (`cdktf output --outputs-file`). */
export const FANOUT_STACK_KEY = 'fanout';

/** What the runner reads from the fan-out stack's outputs to measure it on AWS. */
export interface FanoutOutputs {
  graphqlUrl: string;
  graphqlApiKey: string;
  topicArn: string;
  receiptsQueueUrl: string;
  clusterName: string;
  serviceName: string;
  namePrefix: string;
  region: string;
  processorKind: 'lambda' | 'pipe';
  config: Record<string, unknown>;
}

/** Validates the `fanout` section of an outputs file; every error names the key and the file. */
export function parseFanoutOutputs(file: unknown, source: string): FanoutOutputs {
  const section = typeof file === 'object' && file !== null ? (file as Record<string, unknown>)[FANOUT_STACK_KEY] : undefined;
  if (typeof section !== 'object' || section === null) {
    throw new ConfigError(`${source} has no "${FANOUT_STACK_KEY}" stack outputs; deploy the fan-out stack and run \`cdktf output ${FANOUT_STACK_KEY} --outputs-file ${source}\`.`, {
      context: { source },
    });
  }
  const s = section as Record<string, unknown>;
  const str = (key: keyof FanoutOutputs): string => {
    const value = s[key];
    if (typeof value !== 'string' || value === '') {
      throw new ConfigError(`${source} lacks output "${FANOUT_STACK_KEY}.${key}" (redeploy the fan-out stack: older versions did not output it).`, { context: { source, key } });
    }
    return value;
  };
  const processorKind = str('processorKind');
  if (processorKind !== 'lambda' && processorKind !== 'pipe') throw new ConfigError(`${source}: "${FANOUT_STACK_KEY}.processorKind" must be lambda or pipe; got ${processorKind}.`);
  const graphqlUrl = str('graphqlUrl');
  if (!/^https?:\/\//.test(graphqlUrl)) throw new ConfigError(`${source}: "${FANOUT_STACK_KEY}.graphqlUrl" is not an http(s) URL: ${graphqlUrl}`);
  return {
    graphqlUrl,
    graphqlApiKey: str('graphqlApiKey'),
    topicArn: str('topicArn'),
    receiptsQueueUrl: str('receiptsQueueUrl'),
    clusterName: str('clusterName'),
    serviceName: str('serviceName'),
    namePrefix: str('namePrefix'),
    region: str('region'),
    processorKind,
    config: typeof s['config'] === 'object' && s['config'] !== null ? (s['config'] as Record<string, unknown>) : {},
  };
}
