import assert from 'node:assert/strict';
import { it } from 'node:test';
import { findTool, TOOLS, type ToolName } from '../scripts/find-tool.ts';

/** CI runs `.ci/run` with CI=true; there a missing tool is a failure, not a skip. */
export const underCi = (env: NodeJS.ProcessEnv = process.env): boolean => env['CI'] === 'true';

export interface ToolGate {
  name: ToolName;
  /** The executable, when found. */
  path: string | undefined;
  /** Why the tests that need it cannot run, when it is missing. */
  missing: string | undefined;
  /** `it` for a test that needs the tool: skipped (with the reason) when it is missing, failed under CI=true. */
  it(name: string, fn: () => Promise<void> | void): void;
}

/**
 * One gate per tool: where the tool is missing, every test declared through `gate.it` is reported as
 * skipped with the reason (counted in node:test's "skipped"), except under CI=true, where each fails
 * with the same reason, so a CI machine without the tool cannot pass by skipping.
 */
export function toolGate(name: ToolName, env: NodeJS.ProcessEnv = process.env): ToolGate {
  const lookup = findTool(name, env);
  const missing = lookup.found ? undefined : lookup.reason;
  const ci = underCi(env);
  return {
    name,
    path: lookup.found ? lookup.path : undefined,
    missing,
    it(testName, fn) {
      if (missing !== undefined && !ci) {
        it(testName, { skip: `needs ${TOOLS[name].label}: ${missing}` }, () => {});
        return;
      }
      it(testName, async () => {
        if (missing !== undefined) assert.fail(`CI=true and this test needs ${TOOLS[name].label}: ${missing}`);
        await fn();
      });
    },
  };
}
