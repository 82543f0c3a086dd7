import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { breedCounts } from '../lib/turkeys/breed-counts.ts';

/** A ~35 KB JSON body shaped like a breed page (`count` turkeys, 115 by default). */
export function breedPageBody(count = 115, breed = 'Bourbon Red'): string {
  const turkeys = Array.from({ length: count }, (_, i) => ({
    id: `turkey-${String(i).padStart(5, '0')}`,
    name: `Turkey ${i} of the ${breed} flock`,
    breed,
    weightKg: 7 + (i % 13) / 2,
    hatchDate: '2024-04-01',
    farm: `Farm ${i % 40}, Some County`,
    colour: 'chestnut with white tail bars',
    notes: 'A heritage bird raised on pasture, calm temper, good forager, hatched from a breeding flock.',
  }));
  return JSON.stringify({ breed, count, turkeys });
}

export interface BodyServer {
  url: string;
  close(): Promise<void>;
}

const BREED_PATH = /\/turkeys\/([^/?]+)/;

/**
 * A plain node:http server with a listen backlog large enough for 1,000 simultaneous connections.
 * With `body` it answers every request with that body (and `status`); without, it answers
 * `GET .../turkeys/{breed}` with a page of that breed holding as many turkeys as the seeded data set
 * has (so the runner's body check passes; ~35 KB each), and any other path with the Bourbon Red page.
 */
export async function startBodyServer(options: { body?: string; status?: number; delayMs?: number; port?: number } = {}): Promise<BodyServer> {
  const fixed = options.body !== undefined ? Buffer.from(options.body) : null;
  const counts = breedCounts();
  const pages = new Map<string, Buffer>();
  const page = (url: string | undefined): Buffer => {
    if (fixed) return fixed;
    const m = BREED_PATH.exec(url ?? '');
    let breed = 'Bourbon Red';
    if (m) {
      try {
        breed = decodeURIComponent(m[1]!);
      } catch {
        // a malformed escape: answer the default page
      }
    }
    let body = pages.get(breed);
    if (!body) {
      body = Buffer.from(breedPageBody(counts.get(breed) ?? 0, breed));
      pages.set(breed, body);
    }
    return body;
  };
  const status = options.status ?? 200;
  const server = http.createServer((req, res) => {
    const body = page(req.url);
    const answer = () => {
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(body.length) });
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

// Run as its own process: `node --import tsx bench/body-server.ts [delayMs]` prints `{"url": ...}` on stdout.
if (import.meta.url === `file://${process.argv[1]}`) {
  const delayMs = Number(process.argv[2] ?? 0);
  const server = await startBodyServer(delayMs > 0 ? { delayMs } : {});
  process.stdout.write(`${JSON.stringify({ url: server.url, bytes: Buffer.byteLength(breedPageBody()), delayMs })}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('disconnect', stop);
}
