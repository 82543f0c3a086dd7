import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, whatever the working directory: templates, bundles and cdktf.json are found from here. */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));

/** An absolute path from a repo-relative one, e.g. `repoPath('dist/apprunner-svc/server.mjs')`. */
export function repoPath(relative: string): string {
  return join(REPO_ROOT, relative);
}
