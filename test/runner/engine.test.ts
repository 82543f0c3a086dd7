import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BREEDS } from '../../lib/turkeys/breeds.ts';
import { runLoad } from '../../runner/engine/load.ts';
import { breedOrder, requestPlan } from '../../runner/request-order.ts';

interface TestServer {
  url: string;
  paths: string[];
  maxInFlight: number;
  close(): Promise<void>;
}

/** A server whose behaviour per request is given by `handle`; records paths and peak concurrency. */
async function startServer(handle: (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void): Promise<TestServer> {
  let inFlight = 0;
  const state = { paths: [] as string[], maxInFlight: 0 };
  const server = http.createServer((req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    state.paths.push(req.url!);
    handle(req, res, state.paths.length - 1);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get paths() {
      return state.paths;
    },
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const servers: TestServer[] = [];
const track = async (s: Promise<TestServer>) => {
  const server = await s;
  servers.push(server);
  return server;
};
after(() => Promise.all(servers.map((s) => s.close())));

const json = (delayMs: number) => (_req: http.IncomingMessage, res: http.ServerResponse) =>
  setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'), delayMs);

describe('request order', () => {
  it('is the same for a seed, differs between seeds, and spreads requests evenly over the breeds', () => {
    assert.deepEqual(breedOrder(1, 500), breedOrder(1, 500));
    assert.notDeepEqual(breedOrder(1, 500), breedOrder(2, 500));
    const counts = new Map<string, number>();
    for (const b of breedOrder(1, BREEDS.length * 3)) counts.set(b, (counts.get(b) ?? 0) + 1);
    assert.equal(counts.size, BREEDS.length);
    assert.ok([...counts.values()].every((n) => n === 3));
  });
  it('keeps the base path and URL-encodes breeds', () => {
    const plan = requestPlan('https://abc.execute-api.eu-west-1.amazonaws.com/prod/', ["Merriam's Wild", 'Cröllwitzer']);
    assert.equal(plan.origin, 'https://abc.execute-api.eu-west-1.amazonaws.com');
    assert.deepEqual(plan.paths, ["/prod/turkeys/Merriam's%20Wild", '/prod/turkeys/Cr%C3%B6llwitzer']);
  });
});

describe('runLoad', () => {
  let fast: TestServer;
  before(async () => {
    fast = await track(startServer(json(2)));
  });

  it('closed loop: sends exactly N requests, cycling through the paths, never more than C at once', async () => {
    const paths = Array.from({ length: 7 }, (_, i) => `/p/${i}`);
    const before = fast.paths.length;
    const r = await runLoad({ origin: fast.url, paths, requests: 60, concurrency: 4, timeoutMs: 2000 });
    assert.equal(r.tally.completed, 60);
    assert.equal(r.tally.ok, 60);
    assert.equal(r.tally.histogram.totalCount, 60);
    assert.deepEqual(r.tally.statusCountRecord(), { '200': 60 });
    assert.equal(fast.paths.length - before, 60);
    const perPath = new Map<string, number>();
    for (const p of fast.paths.slice(before)) perPath.set(p, (perPath.get(p) ?? 0) + 1);
    // 60 requests cycling through 7 paths: the first 4 paths 9 times, the last 3 eight times.
    assert.deepEqual(paths.map((p) => perPath.get(p)), [9, 9, 9, 9, 8, 8, 8]);
    assert.ok(fast.maxInFlight <= 4 && fast.maxInFlight >= 2, `peak ${fast.maxInFlight}`);
    assert.ok(r.wallMs > 0 && r.endedAt.getTime() >= r.startedAt.getTime());
    assert.ok(r.tally.histogram.minNonZeroValue >= 1_500, 'latency includes the 2 ms server delay');
  });

  it('warm-up requests are sent but not recorded', async () => {
    const before = fast.paths.length;
    const r = await runLoad({ origin: fast.url, paths: ['/w'], requests: 10, concurrency: 2, timeoutMs: 2000, warmup: 5 });
    assert.equal(fast.paths.length - before, 15);
    assert.equal(r.tally.completed, 10);
  });

  it('open loop: latency runs from the intended send time, so a slow backend is not hidden', async () => {
    const slow = await track(startServer(json(50)));
    const closed = await runLoad({ origin: slow.url, paths: ['/s'], requests: 20, concurrency: 1, timeoutMs: 5000 });
    const open = await runLoad({ origin: slow.url, paths: ['/s'], requests: 20, concurrency: 1, rate: 100, timeoutMs: 5000 });
    // One connection, 50 ms per answer, one request due every 10 ms: request i waits ~40 ms x i.
    assert.ok(closed.tally.histogram.maxValue < 250_000, `closed max ${closed.tally.histogram.maxValue} us`);
    assert.ok(open.tally.histogram.maxValue > 600_000, `open max ${open.tally.histogram.maxValue} us`);
    assert.equal(open.tally.completed, 20);
  });

  it('open loop keeps the rate when the backend keeps up', async () => {
    const r = await runLoad({ origin: fast.url, paths: ['/r'], requests: 30, concurrency: 5, rate: 200, timeoutMs: 2000 });
    assert.equal(r.tally.ok, 30);
    assert.ok(r.wallMs >= 140 && r.wallMs < 1500, `wall ${r.wallMs} ms for 30 requests at 200/s`);
  });

  it('counts timeouts, refused connections and resets by kind, with no latency recorded', async () => {
    const silent = await track(startServer(() => {}));
    const t = await runLoad({ origin: silent.url, paths: ['/t'], requests: 3, concurrency: 3, timeoutMs: 150 });
    assert.equal(t.tally.errors.timeout, 3);
    assert.equal(t.tally.histogram.totalCount, 0);
    assert.match(t.tally.errorSamples.timeout!, /timeout/i);

    const closedPort = await track(startServer(() => {}));
    await closedPort.close();
    const refused = await runLoad({ origin: closedPort.url, paths: ['/x'], requests: 4, concurrency: 2, timeoutMs: 1000 });
    assert.equal(refused.tally.errors.refused, 4);

    const resetting = await track(startServer((req) => req.socket.destroy()));
    const reset = await runLoad({ origin: resetting.url, paths: ['/x'], requests: 4, concurrency: 2, timeoutMs: 1000 });
    assert.equal(reset.tally.errors.reset, 4);
    assert.equal(reset.tally.ok, 0);
  });

  it('open loop: an abort does not wait for the next scheduled send', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const r = await runLoad({ origin: fast.url, paths: ['/o'], requests: 3, concurrency: 1, rate: 0.2, timeoutMs: 2000, signal: controller.signal });
    const elapsed = performance.now() - started;
    assert.equal(r.aborted, true);
    assert.equal(r.tally.completed, 1, 'only the first request was due');
    assert.ok(elapsed < 2000, `returned ${elapsed.toFixed(0)} ms after start; the next send was due at 5,000 ms`);
  });

  it('stops sending when aborted', async () => {
    const slow = await track(startServer(json(30)));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const r = await runLoad({ origin: slow.url, paths: ['/a'], requests: 1000, concurrency: 2, timeoutMs: 2000, signal: controller.signal });
    assert.equal(r.aborted, true);
    assert.ok(slow.paths.length < 40, `${slow.paths.length} requests sent`);
  });
});
