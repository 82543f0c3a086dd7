import { App } from 'cdktf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiBackendsStack, API_BACKENDS_STACK } from './api-backends.ts';
import { REPO_ROOT } from '../lib/repo-root.ts';
import { resolveStackConfig, type StackConfig } from './config.ts';
import { FanoutStack, FANOUT_STACK } from './fanout.ts';
import { ImagesStack, IMAGES_STACK } from './images.ts';

export const STACK_NAMES = [IMAGES_STACK, API_BACKENDS_STACK, FANOUT_STACK] as const;

/** The `context` object of cdktf.json: stack settings that override the defaults (see stacks/config.ts). */
export function readCdktfContext(root: string = REPO_ROOT): Record<string, unknown> {
  const file = JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as { context?: Record<string, unknown> };
  return file.context ?? {};
}

export interface BuildOptions {
  outdir?: string;
  /** Overrides cdktf.json context (tests pass their own). */
  context?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
}

/** The whole app: the images stack, then the two benchmark stacks, all from one config. */
export function buildApp(options: BuildOptions = {}): { app: App; config: StackConfig } {
  const config = resolveStackConfig(options.context ?? readCdktfContext(), options.env ?? process.env);
  const app = new App({ outdir: options.outdir ?? process.env['CDKTF_OUTDIR'] ?? join(REPO_ROOT, 'cdktf.out'), skipBackendValidation: true });
  new ImagesStack(app, IMAGES_STACK, config);
  new ApiBackendsStack(app, API_BACKENDS_STACK, config);
  new FanoutStack(app, FANOUT_STACK, config);
  return { app, config };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const started = performance.now();
    const { app } = buildApp();
    app.synth();
    console.error(`synthesized ${STACK_NAMES.join(', ')} into ${app.outdir} in ${Math.round(performance.now() - started)} ms`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
