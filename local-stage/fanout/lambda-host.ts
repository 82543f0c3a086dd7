// A Lambda "sandbox" for one function on the local stage: its own process and environment (set by the
// parent), the bundle imported once (cold start), then one invocation at a time over IPC.
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
if (!bundle || !process.send) {
  console.error('usage: forked by local-stage/fanout/lambda-process.ts with the bundle path');
  process.exit(2);
}
process.on('disconnect', () => process.exit(0));

const module = (await import(pathToFileURL(bundle).href)) as { handler?: (event: unknown, context: unknown) => Promise<unknown> };
const handler = module.handler;
if (typeof handler !== 'function') {
  console.error(`${bundle} does not export a handler function`);
  process.exit(2);
}

let invocation = 0;
process.on('message', (message: { id: number; event: unknown }) => {
  invocation += 1;
  const context = { functionName: process.env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'local', awsRequestId: `local-${process.pid}-${invocation}` };
  handler(message.event, context).then(
    (result) => process.send!({ id: message.id, ok: true, result }),
    (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }),
  );
});
process.send({ ready: true });
