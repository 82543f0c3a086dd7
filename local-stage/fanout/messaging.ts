import { buildApp } from 'fauxqs';

/**
 * SNS + SQS on loopback (fauxqs 1.9). Not `startFauxqs`: it binds 0.0.0.0, and its queue URLs
 * (`sqs.<region>.localhost:<port>`, or `sqs.<region>.127.0.0.1` with its `host` option) do not resolve
 * or parse, while the SDK sends SQS calls to the QueueUrl's host. A store with no host makes fauxqs
 * build queue URLs from the request's Host header (127.0.0.1:<port>). fauxqs does not export its
 * store, hence the import by file.
 */
export async function startLocalMessaging(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const storeUrl = new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs'));
  const { SqsStore } = (await import(storeUrl.href)) as {
    SqsStore: new () => { host: string };
  };
  const sqsStore = new SqsStore();
  sqsStore.host = '';
  const app = buildApp({ logger: false, stores: { sqsStore } as unknown as NonNullable<Parameters<typeof buildApp>[0]>['stores'] });
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  return { endpoint, close: async () => void (await app.close()) };
}
