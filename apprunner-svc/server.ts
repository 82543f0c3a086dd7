import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { intEnv, requireEnv } from '../lib/env.ts';
import { createApp } from './app.ts';

// The container's entry point: App Runner sets PORT; everything else comes from the environment.
const port = intEnv('PORT', 8080, { min: 0, max: 65_535 });
const tableName = requireEnv('TABLE_NAME');
// A backlog larger than Node's default 511 so 1,000 simultaneous connects do not sit in SYN retries.
const backlog = intEnv('LISTEN_BACKLOG', 4096, { min: 1, max: 65_535 });

const app = createApp(new DynamoDBClient({}), tableName);
const server = app.listen({ port, host: process.env['HOST'] ?? '0.0.0.0', backlog }, () => {
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  console.log(JSON.stringify({ level: 'info', message: 'listening', port: bound }));
});
server.keepAliveTimeout = 65_000;

function shutdown(signal: string) {
  console.log(JSON.stringify({ level: 'info', message: 'stopping', signal }));
  server.close(() => process.exit(0));
  server.closeAllConnections();
}
process.once('SIGTERM', () => shutdown('SIGTERM'));
process.once('SIGINT', () => shutdown('SIGINT'));
