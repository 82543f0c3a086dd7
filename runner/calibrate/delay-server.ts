/**
 * The calibration server: a plain node:http server that answers every GET with a fixed JSON body
 * after a fixed delay, a stand-in for a cloud backend whose latency is known. `node runner calibrate`
 * runs it in its OWN process (see calibrate.ts), so the load generator being measured does not share
 * its event loop:
 *   node --import tsx runner/calibrate/delay-server.ts --delay-ms 60 --body-kb 35
 * prints one JSON line `{"event":"ready","url":...,"bodyBytes":...,"delayMs":...}` on stdout and stops
 * on SIGTERM, SIGINT or when its parent goes away.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

export interface DelayServerOptions {
  delayMs: number;
  /** Body size in bytes (a JSON document of exactly this many bytes, at least 16). */
  bodyBytes: number;
  port?: number;
}

export interface DelayServer {
  url: string;
  bodyBytes: number;
  close(): Promise<void>;
}

/** A JSON document of exactly `bytes` bytes (minimum 16): `{"pad":"xxxx..."}`. */
export function jsonBodyOfSize(bytes: number): Buffer {
  const overhead = '{"pad":""}'.length;
  const size = Math.max(16, Math.floor(bytes));
  return Buffer.from(`{"pad":"${'x'.repeat(size - overhead)}"}`);
}

export async function startDelayServer(options: DelayServerOptions): Promise<DelayServer> {
  const body = jsonBodyOfSize(options.bodyBytes);
  const headers = { 'content-type': 'application/json', 'content-length': String(body.length) };
  const server = http.createServer((req, res) => {
    req.resume();
    const answer = () => res.writeHead(200, headers).end(body);
    if (options.delayMs > 0) setTimeout(answer, options.delayMs);
    else answer();
  });
  server.keepAliveTimeout = 60_000;
  // Node's default backlog (511) overflows at 1,000 simultaneous connects (SYN retries, seconds of delay).
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: '127.0.0.1', backlog: 4096 }, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodyBytes: body.length,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { 'delay-ms': { type: 'string', default: '60' }, 'body-kb': { type: 'string', default: '35' } } });
  const delayMs = Number(values['delay-ms']);
  const bodyKb = Number(values['body-kb']);
  if (!(delayMs >= 0) || !(bodyKb > 0)) {
    process.stderr.write('usage: delay-server.ts --delay-ms N --body-kb N\n');
    process.exit(2);
  }
  const server = await startDelayServer({ delayMs, bodyBytes: Math.round(bodyKb * 1024) });
  process.stdout.write(`${JSON.stringify({ event: 'ready', url: server.url, bodyBytes: server.bodyBytes, delayMs })}\n`);
  const stop = () => void server.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.on('disconnect', stop);
  // Spawned with pipes, not IPC: if the parent dies without signalling, notice it and stop.
  const parent = process.ppid;
  setInterval(() => {
    try {
      process.kill(parent, 0);
    } catch {
      stop();
    }
  }, 1_000).unref();
}
