import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { fetchLambdaReports, parseReportLine, totalReports } from '../../runner/cost/lambda-reports.ts';

// Recorded in open-telemetry/opentelemetry-lambda#2011 (tabs as Lambda writes them).
const COLD = 'REPORT RequestId: bf5f58db-ef7d-4cb2-b3c6-266eba1bbedb\tDuration: 395.99 ms\tBilled Duration: 662 ms\tMemory Size: 512 MB\tMax Memory Used: 301 MB\tInit Duration: 265.72 ms';
const WARM = 'REPORT RequestId: 89ba7dfa-72d1-4ad7-9dac-2214d1698697\tDuration: 2.05 ms\tBilled Duration: 3 ms\tMemory Size: 1152 MB\tMax Memory Used: 76 MB\t';

describe('Lambda REPORT lines', () => {
  it('parses duration, billed duration, memory and Init Duration', () => {
    assert.deepEqual(parseReportLine(COLD), { requestId: 'bf5f58db-ef7d-4cb2-b3c6-266eba1bbedb', durationMs: 395.99, billedDurationMs: 662, memoryMb: 512, maxMemoryUsedMb: 301, initDurationMs: 265.72 });
    assert.equal(parseReportLine(WARM)!.initDurationMs, null);
    assert.equal(parseReportLine('START RequestId: x Version: $LATEST'), null);
  });

  it('sums them for the cost model', () => {
    const totals = totalReports([parseReportLine(COLD)!, parseReportLine(WARM)!]);
    assert.deepEqual({ ...totals, memoryMb: undefined }, { invocations: 2, billedDurationMs: 665, initDurationMs: 265.72, initCount: 1, memoryMb: undefined });
  });

  it('pages through FilterLogEvents with the client it is given', async () => {
    const sent: FilterLogEventsCommand[] = [];
    const pages = [{ events: [{ message: COLD }], nextToken: 'p2' }, { events: [{ message: 'END RequestId: x' }, { message: WARM }] }];
    const client = { send: async (command: FilterLogEventsCommand) => (sent.push(command), pages[sent.length - 1]) } as never;
    const reports = await fetchLambdaReports(client, { logGroupName: '/aws/lambda/sst-turkeys', startTime: new Date(1000), endTime: new Date(2000) });
    assert.equal(reports.length, 2);
    assert.equal(sent.length, 2);
    assert.equal(sent[1]!.input.nextToken, 'p2');
    assert.equal(sent[0]!.input.startTime, 1000);
  });
});
