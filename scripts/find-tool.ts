import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * External programs some tests need. `.ci/run` and the tests find them with the same function
 * (`findTool`), so CI never installs a tool the tests then fail to see, or the other way round.
 */
export interface ToolSpec {
  /** What the tests call it in messages. */
  label: string;
  /** An environment variable that names the executable outright (checked first). */
  envVar: string;
  /** Names looked up on PATH, in order, like `command -v`. */
  commands: readonly string[];
  /** How to get it, for the skip reason and the CI failure. */
  install: string;
}

export const TOOLS = {
  chromium: {
    label: 'Chromium',
    envVar: 'CHROMIUM_PATH',
    commands: ['chromium', 'chromium-browser'],
    install: 'install it with `apt-get install -y chromium` (Debian; `.ci/run` does) or set CHROMIUM_PATH',
  },
  terraform: {
    label: 'Terraform',
    envVar: 'TERRAFORM_PATH',
    commands: ['terraform'],
    install: 'install Terraform (https://developer.hashicorp.com/terraform/install) or set TERRAFORM_PATH',
  },
} as const satisfies Record<string, ToolSpec>;

export type ToolName = keyof typeof TOOLS;

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `command -v NAME`: the first executable file NAME in a PATH directory, or undefined. */
export function onPath(name: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export type ToolLookup = { found: true; path: string } | { found: false; reason: string };

/** Finds a tool: its environment variable if set (which must then name an executable), else PATH. */
export function findTool(name: ToolName, env: NodeJS.ProcessEnv = process.env): ToolLookup {
  const spec: ToolSpec = TOOLS[name];
  const named = env[spec.envVar];
  if (named !== undefined && named !== '') {
    return isExecutableFile(named)
      ? { found: true, path: named }
      : { found: false, reason: `${spec.envVar}=${named} is not an executable file; ${spec.install}.` };
  }
  for (const command of spec.commands) {
    const path = onPath(command, env['PATH'] ?? '');
    if (path !== undefined) return { found: true, path };
  }
  return { found: false, reason: `${spec.label} not found (${spec.envVar} unset; none of ${spec.commands.join(', ')} on PATH): ${spec.install}.` };
}

// `node --import tsx scripts/find-tool.ts chromium`: prints the path and exits 0, or the reason and exits 1.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const name = process.argv[2];
  if (name === undefined || !(name in TOOLS)) {
    process.stderr.write(`usage: find-tool.ts ${Object.keys(TOOLS).join('|')}\n`);
    process.exit(2);
  }
  const lookup = findTool(name as ToolName);
  if (lookup.found) process.stdout.write(`${lookup.path}\n`);
  else process.stderr.write(`${lookup.reason}\n`);
  process.exit(lookup.found ? 0 : 1);
}
