// SNS + SQS (fauxqs) in a process of its own, so the fan-out traffic (every change × every task) does
// not share an event loop with the GraphQL endpoint and DynamoDB. Prints one ready line; exits when
// its parent goes away (IPC disconnect) or on SIGTERM.
import { startLocalMessaging } from './messaging.ts';

const messaging = await startLocalMessaging();
const stop = () => void messaging.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('disconnect', stop);
console.log(JSON.stringify({ event: 'ready', endpoint: messaging.endpoint }));
