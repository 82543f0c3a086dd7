import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { turkeysCreateTableInput } from '../lib/turkeys/table.ts';
import { localClientConfig } from './local-aws.ts';

const require = createRequire(import.meta.url);

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  address(): AddressInfo;
  close(callback: (error?: Error) => void): void;
  closeAllConnections(): void;
}

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

/** A DynamoDB-compatible server (dynalite) on loopback, and an SDK client pointed at it. */
export async function startLocalDynamo(options: { port?: number; host?: string } = {}): Promise<LocalDynamo> {
  const dynalite = require('dynalite') as (opts: { createTableMs: number; deleteTableMs: number; updateTableMs: number }) => DynaliteServer;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => server.listen(options.port ?? 0, host, (error) => (error ? reject(error) : resolve())));
  const endpoint = `http://${host}:${server.address().port}`;
  const client = new DynamoDBClient(localClientConfig(endpoint));
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Creates the `turkeys` table with the same schema as the stack. */
export async function createTurkeysTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(turkeysCreateTableInput(tableName)));
}
