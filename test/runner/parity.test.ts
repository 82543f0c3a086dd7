import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkParity, formatParityReport, type ParityCase } from '../../runner/parity.ts';
import { runCli } from './run-cli.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fake backend answering every GET with `answer(path)`. */
async function fakeBackend(answer: (path: string) => { status: number; body: string }): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const { status, body } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`, server };
}

const page = (breed: string, count: number) => JSON.stringify({ breed, count, turkeys: Array.from({ length: count }, (_, i) => ({ i })) });
const CASES: ParityCase[] = [
  { label: 'Buff', path: '/turkeys/Buff', expectedStatus: 200, checkBody: (b) => ((b as { count: number }).count === 2 ? undefined : 'count') },
  { label: 'too long', path: '/turkeys/xxxx', expectedStatus: 400, checkBody: () => undefined },
];

describe('checkParity', () => {
  const servers: Server[] = [];
  let same: string;
  let reordered: string;
  let wrongStatus: string;
  let notJson: string;
  const dirs: string[] = [];
  before(async () => {
    const good = (p: string) => (p.endsWith('/Buff') ? { status: 200, body: page('Buff', 2) } : { status: 400, body: '{"error":{"code":"X"}}' });
    const a = await fakeBackend(good);
    const b = await fakeBackend((p) => (p.endsWith('/Buff') ? { status: 200, body: `{"turkeys":[{"i":0},{"i":1}],"count":2,"breed":"Buff"}` } : good(p)));
    const c = await fakeBackend((p) => (p.endsWith('/Buff') ? good(p) : { status: 500, body: '{}' }));
    const d = await fakeBackend(() => ({ status: 200, body: '<html>' }));
    servers.push(a.server, b.server, c.server, d.server);
    [same, reordered, wrongStatus, notJson] = [a.url, b.url, c.url, d.url];
  });
  after(async () => {
    for (const s of servers) s.close();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('passes when bodies are equal as JSON (key order does not matter) and as expected', async () => {
    const report = await checkParity({ direct: same, lambda: reordered }, ['direct', 'lambda'], { cases: CASES });
    assert.deepEqual(report.failures, []);
    assert.match(formatParityReport(report, 'aws'), /2 cases x 2 targets .*every answer identical/);
  });

  it('reports a target whose status differs, and one whose body is not JSON', async () => {
    const report = await checkParity({ direct: same, sfn: wrongStatus, apprunner: notJson }, ['direct', 'sfn', 'apprunner'], { cases: CASES });
    assert.deepEqual(
      report.failures.map((f) => `${f.label}: ${f.problem.split(':')[0]}`),
      ['Buff: apprunner answered 200 with a body that is not JSON', 'too long: sfn answered 500, direct 400', 'too long: apprunner answered 200 with a body that is not JSON'],
    );
  });

  it('reports an answer that is the same everywhere but not the expected one', async () => {
    const cases: ParityCase[] = [{ ...CASES[0]!, checkBody: () => 'count 2, the seeded table has 115 (is the table seeded?)' }];
    const report = await checkParity({ direct: same, lambda: same }, ['direct', 'lambda'], { cases });
    assert.deepEqual(report.failures, [{ label: 'Buff', problem: 'direct: count 2, the seeded table has 115 (is the table seeded?)' }]);
  });

  it('node runner parity --stage aws: exit 1 and one line per difference against backends that disagree', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'runner-parity-'));
    dirs.push(dir);
    const file = path.join(dir, 'outputs.json');
    await writeFile(file, JSON.stringify({ 'api-backends': { tableName: 't', region: 'eu-west-1', directUrl: same, sfnUrl: wrongStatus, lambdaUrl: same, apprunnerUrl: same } }));
    const r = await runCli(['parity', '--stage', 'aws', '--outputs', file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^probes \(stage aws\): .*never fail parity/, 'probes are printed first');
    assert.match(r.stdout, /\n {2}\[A2\] path parameter decoded by API Gateway\?: direct: other: 400 /);
    assert.match(r.stdout, /\nparity \(stage aws\): 94 cases x 4 targets .*difference\(s\)/);
    assert.match(r.stdout, /\n {2}Auburn: sfn answered 500, direct 400\n/);
    assert.match(r.stdout, /\n {2}\.\.\. and \d+ more\n?$/, 'long lists are cut at 50 lines');
  });
});
