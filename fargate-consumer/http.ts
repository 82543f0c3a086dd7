import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FanoutConsumer } from './consumer.ts';

/** GET /health (200 healthy, 503 otherwise, with reasons; DLQ depth as a warning only) and GET /metrics (JSON). */
export function startHealthServer(consumer: FanoutConsumer, port: number): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET is served.' } });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') {
      const health = consumer.health();
      return send(health.healthy ? 200 : 503, { status: health.healthy ? 'healthy' : 'unhealthy', ...health, dlqDepth: consumer.dlqDepth, version: consumer.state?.version ?? null });
    }
    if (path === '/metrics') return send(200, consumer.metrics());
    return send(404, { error: { code: 'NOT_FOUND', message: 'Try /health or /metrics.' } });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}
