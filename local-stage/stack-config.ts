import { readFileSync } from 'node:fs';
import { ConfigError } from '../lib/errors.ts';
import { repoPath } from '../lib/repo-root.ts';
import { resolveStackConfig, type StackConfig } from '../stacks/config.ts';

/**
 * The stack settings as the local stage sees them: the same table and precedence as a deployment
 * (default < cdktf.json context < environment), so `node runner sweep --stage local` sets them the
 * same way (environment variables named in stacks/config.ts).
 */
export function localStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  let text: string;
  try {
    text = readFileSync(repoPath('cdktf.json'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return resolveStackConfig({}, env); // no cdktf.json: defaults and environment only
  }
  let context: Record<string, unknown>;
  try {
    context = (JSON.parse(text) as { context?: Record<string, unknown> }).context ?? {};
  } catch (error) {
    throw new ConfigError(`cdktf.json is not valid JSON: ${(error as Error).message}.`, { cause: error });
  }
  return resolveStackConfig(context, env);
}
