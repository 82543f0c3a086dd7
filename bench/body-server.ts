import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A ~35 KB JSON body shaped like a breed page (115 turkeys). */
export function breedPageBody(count = 115): string {
  const turkeys = Array.from({ length: count }, (_, i) => ({
    id: `turkey-${String(i).padStart(5, '0')}`,
    name: `Turkey ${i} of the Bourbon Red flock`,
    breed: 'Bourbon Red',
    weightKg: 7 + (i % 13) / 2,
    hatchDate: '2024-04-01',
    farm: `Farm ${i % 40}, Some County`,
    colour: 'chestnut with white tail bars',
    notes: 'A heritage bird raised on pasture, calm temper, good forager, hatched from a breeding flock.',
  }));
  return JSON.stringify({ breed: 'Bourbon Red', count, turkeys });
}

export interface BodyServer {
  url: string;
  close(): Promise<void>;
}

/**
 * A plain node:http server answering every request with the same JSON body (or `status`), with a
 * listen backlog large enough for 1,000 simultaneous connections.
 */
export async function startBodyServer(options: { body?: string; status?: number; delayMs?: number; port?: number } = {}): Promise<BodyServer> {
  const body = Buffer.from(options.body ?? breedPageBody());
  const status = options.status ?? 200;
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
  const server = http.createServer((_req, res) => {
    const answer = () => {
      res.writeHead(status, headers);
      res.end(body);
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

// Run as its own process: `node --import tsx bench/body-server.ts` prints `{"url": ...}` on stdout.
if (import.meta.url === `file://${process.argv[1]}`) {
  const server = await startBodyServer();
  process.stdout.write(`${JSON.stringify({ url: server.url, bytes: Buffer.byteLength(breedPageBody()) })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('disconnect', stop);
}
