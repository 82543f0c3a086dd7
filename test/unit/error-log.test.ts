import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { throttledErrorLog } from '../../local-stage/error-log.ts';

const entry = (route: string, error: string) => ({ level: 'error' as const, message: 'local API Gateway request failed', requestId: 'r', route, error });

describe('throttledErrorLog', () => {
  it('prints the first errors of each kind, counts the rest, and sums them up on flush', () => {
    const lines: string[] = [];
    const { log, flush } = throttledErrorLog((line) => lines.push(line), { burst: 2, intervalMs: 60_000 });
    for (let i = 0; i < 10; i++) log(entry('/sfn', 'timed out'));
    log(entry('/direct', 'boom'));
    assert.equal(lines.length, 3, 'two sfn errors and the first direct one, in full');
    assert.equal(JSON.parse(lines[2]!).route, '/direct');
    flush();
    assert.deepEqual(lines.slice(3), ['8 more local gateway error(s) like: /sfn: timed out']);
    flush();
    assert.equal(lines.length, 4, 'nothing left to sum up');
  });

  it('sums up on its own once the interval has passed', () => {
    const lines: string[] = [];
    const { log } = throttledErrorLog((line) => lines.push(line), { burst: 1, intervalMs: 0 });
    log(entry('/sfn', 'x'));
    log(entry('/sfn', 'x'));
    assert.deepEqual(lines.slice(1), ['1 more local gateway error(s) like: /sfn: x']);
  });
});
