import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../lib/errors.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { BUNDLES } from '../scripts/bundles.ts';

/**
 * The directory holding a built bundle (the Lambda archive is made from it). The outfile must be
 * in the bundle table and built; otherwise synth stops with the command that fixes it.
 */
export function bundleDir(outfile: string, root: string = REPO_ROOT): string {
  if (!BUNDLES.some((b) => b.outfile === outfile)) {
    throw new ConfigError(`${outfile} is not in scripts/bundles.ts; the stacks and the bundle table disagree.`, { context: { outfile } });
  }
  const file = resolve(root, outfile);
  if (!existsSync(file)) {
    throw new ConfigError(`${outfile} is missing; run \`npm run build\` before synthesizing the stacks.`, { context: { outfile } });
  }
  return dirname(file);
}
