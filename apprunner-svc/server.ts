import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { intEnv, optionalEnv, requireEnv } from '../lib/env.ts';
import { createApp } from './app.ts';

// The container's entry point: App Runner sets PORT; everything else comes from the environment.
const port = intEnv('PORT', 8080, { min: 0, max: 65_535 });
const tableName = requireEnv('TABLE_NAME');
const host = optionalEnv('HOST', '0.0.0.0');
// A backlog larger than Node's default 511 so 1,000 simultaneous connects do not sit in SYN retries.
const backlog = intEnv('LISTEN_BACKLOG', 4096, { min: 1, max: 65_535 });

const app = createApp(new DynamoDBClient({}), tableName);
const server = app.listen({ port, host, backlog }, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(JSON.stringify({ level: 'info', message: 'listening', port: bound }));
});
server.keepAliveTimeout = 65_000;

// On SIGTERM (scale-in, redeploy) requests in flight get this long to finish before their sockets are cut.
const DRAIN_MS = 3_000;

function shutdown(signal: string) {
  console.log(JSON.stringify({ level: 'info', message: 'stopping', signal }));
  // close() stops accepting and ends idle keep-alive sockets; busy ones finish their response first.
  server.close(() => process.exit(0));
  setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
