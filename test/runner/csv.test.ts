import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { summaryCsv } from '../../runner/results/csv.ts';
import { fakeResult } from './factories.ts';

describe('summary.csv', () => {
  it('has the issue\'s columns first, then status and error columns; CRLF records', () => {
    const csv = summaryCsv([fakeResult(), fakeResult({ target: 'sfn', statusCounts: { '200': 99, '429': 1 }, clientErrors: { timeout: 1, refused: 0, reset: 0, other: 0 } })]);
    assert.ok(csv.endsWith('\r\n'));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    const header = csv.split('\r\n')[0]!.split(',');
    const required = 'stage,scenario,tier,target,requests,concurrency,ok,success_rate,fastest_ms,avg_ms,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,throughput_rps'.split(',');
    for (const column of required) assert.ok(header.includes(column), column);
    assert.deepEqual(header.filter((h) => h.startsWith('status_')), ['status_200', 'status_429', 'status_503']);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!['status_429'], '0');
    assert.equal(rows[1]!['status_429'], '1');
    assert.equal(rows[1]!['errors_timeout'], '1');
    assert.equal(rows[0]!['p99_ms'], '4');
  });

  it('quotes commas, quotes and line breaks (RFC 4180) and round-trips them', () => {
    const tricky = 'test1,"quoted"\nline';
    const csv = summaryCsv([fakeResult({ scenario: tricky })]);
    assert.ok(csv.includes('"test1,""quoted""\nline"'));
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    assert.equal(rows[0]!['scenario'], tricky);
  });

  it('leaves latency cells empty when a target got no response', () => {
    const csv = summaryCsv([fakeResult({ latency: null, ok: 0, successRate: 0, failed: true, statusCounts: {} })]);
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    assert.equal(rows[0]!['p50_ms'], '');
    assert.equal(rows[0]!['failed'], 'true');
  });
});
