import assert from 'node:assert/strict';
import { loadavg } from 'node:os';

/** Set SST_ASSERT_TIMING=1 to turn wall-clock budgets into assertions (on a quiet machine). */
export const ASSERT_TIMING = process.env['SST_ASSERT_TIMING'] === '1';

/**
 * A wall-clock budget: on a shared, loaded machine a budget says nothing about the code, so by default
 * the figure is logged (as a test diagnostic, with the load average) and only asserted when opted in.
 */
export function timingBudget(t: { diagnostic(message: string): void }, what: string, elapsedMs: number, budgetMs: number): void {
  t.diagnostic(`${what}: ${Math.round(elapsedMs)} ms (budget ${budgetMs} ms, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}${ASSERT_TIMING ? ', asserted' : ', logged only; SST_ASSERT_TIMING=1 asserts it'})`);
  if (ASSERT_TIMING) assert.ok(elapsedMs < budgetMs, `${what} took ${Math.round(elapsedMs)} ms, budget ${budgetMs} ms`);
}
