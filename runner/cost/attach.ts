import { loadPriceTable, type PriceTable } from '../../lib/cost/prices.ts';
import { targetCost, type AwsMeasured } from '../../lib/cost/target-cost.ts';
import type { BackendInfo, StageName, TargetTierResult } from '../results/schema.ts';

/**
 * Prices every row of one tier (runner/run.ts calls it once the tier's targets are done): the
 * cost model of lib/cost/ applied to the row's measured quantities. `sfn` cannot report its
 * DynamoDB read units (the state machine answers with the page only), so it borrows the read units
 * per request measured on another target of the same tier: the same Query for the same breeds.
 */
export function attachTierCosts(rows: TargetTierResult[], stage: StageName, backend: BackendInfo, options: { table?: PriceTable; aws?: Partial<Record<string, AwsMeasured>> } = {}): void {
  const table = options.table ?? loadPriceTable(stage === 'local' ? 'us-east-1' : backend.region);
  const lender = rows.find((r) => (r.headerSums?.['read-units']?.count ?? 0) > 0 && (r.target === 'direct' || r.target === 'lambda'))
    ?? rows.find((r) => (r.headerSums?.['read-units']?.count ?? 0) > 0);
  const borrowed = lender ? { value: lender.headerSums!['read-units']!.sum / lender.headerSums!['read-units']!.count, from: `${lender.target} (${lender.tier})` } : undefined;
  for (const row of rows) {
    const aws = options.aws?.[row.target];
    row.cost = targetCost(table, {
      stage,
      target: row.target,
      requests: row.requests,
      wallMs: row.wallMs,
      bytesReceived: row.bytesReceived,
      concurrency: row.concurrency,
      headerSums: row.headerSums ?? {},
      config: backend.config,
      ...(aws ? { aws } : {}),
      ...(borrowed && row.target !== lender?.target ? { borrowedReadUnitsPerRequest: borrowed } : {}),
    });
  }
}
