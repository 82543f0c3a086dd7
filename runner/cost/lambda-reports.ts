import { FilterLogEventsCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { LambdaReportTotals } from '../../lib/cost/target-cost.ts';

/**
 * The REPORT line Lambda writes after every invocation, e.g.
 * `REPORT RequestId: <id>\tDuration: 395.99 ms\tBilled Duration: 662 ms\tMemory Size: 512 MB\tMax Memory Used: 301 MB\tInit Duration: 265.72 ms`
 * (format as recorded in open-telemetry/opentelemetry-lambda#2011; since 2025-08-01 Billed Duration
 * includes the INIT phase). Values may be decimals.
 */
export interface LambdaReport {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memoryMb: number;
  maxMemoryUsedMb: number | null;
  initDurationMs: number | null;
}

const FIELD = (name: string) => new RegExp(`${name}:\\s*([0-9.]+)\\s*(?:ms|MB)`);

/** Parses one REPORT line; null for any other log line. */
export function parseReportLine(line: string): LambdaReport | null {
  const id = /^REPORT RequestId:\s*([0-9a-f-]+)/i.exec(line.trim());
  if (!id) return null;
  const num = (name: string) => {
    const m = FIELD(name).exec(line);
    return m ? Number(m[1]) : null;
  };
  const durationMs = num('(?<!Billed |Init )Duration');
  const billed = num('Billed Duration');
  const memory = num('Memory Size');
  if (durationMs === null || billed === null || memory === null) return null;
  return { requestId: id[1]!, durationMs, billedDurationMs: billed, memoryMb: memory, maxMemoryUsedMb: num('Max Memory Used'), initDurationMs: num('Init Duration') };
}

/** Sums REPORT lines for the cost model. */
export function totalReports(reports: readonly LambdaReport[]): LambdaReportTotals {
  const cold = reports.filter((r) => r.initDurationMs !== null);
  return {
    invocations: reports.length,
    billedDurationMs: reports.reduce((s, r) => s + r.billedDurationMs, 0),
    initDurationMs: cold.reduce((s, r) => s + r.initDurationMs!, 0),
    initCount: cold.length,
    memoryMb: reports.length > 0 ? reports.reduce((s, r) => s + r.memoryMb, 0) / reports.length : 0,
  };
}

/**
 * Fetches the REPORT lines of `logGroupName` between two times (a tier's start and end; Lambda
 * delivers logs with a delay, so call it some seconds after the run). The client is a parameter so
 * tests hand in a local stand-in. Pages through every result; bounded by `maxPages`.
 */
export async function fetchLambdaReports(
  client: Pick<CloudWatchLogsClient, 'send'>,
  options: { logGroupName: string; startTime: Date; endTime: Date; maxPages?: number },
): Promise<LambdaReport[]> {
  const reports: LambdaReport[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 1000); page++) {
    const out = await client.send(
      new FilterLogEventsCommand({
        logGroupName: options.logGroupName,
        startTime: options.startTime.getTime(),
        endTime: options.endTime.getTime(),
        filterPattern: '"REPORT RequestId"',
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const event of out.events ?? []) {
      const report = parseReportLine(event.message ?? '');
      if (report) reports.push(report);
    }
    nextToken = out.nextToken;
    if (!nextToken) return reports;
  }
  return reports;
}
