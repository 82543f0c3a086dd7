import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, STACK_NAMES } from '../../stacks/main.ts';
import type { StackConfig } from '../../stacks/config.ts';

/** The parts of a synthesized cdk.tf.json the tests read. */
export interface TfJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; sensitive?: boolean }>;
  provider?: Record<string, unknown>;
}

export interface Synthesized {
  outdir: string;
  config: StackConfig;
  stacks: Record<(typeof STACK_NAMES)[number], TfJson>;
  elapsedMs: number;
  cleanup: () => void;
}

/** Synthesizes the whole app in-process into a temp folder (env ignored: only `context` counts). */
export function synthAll(context: Record<string, unknown> = {}): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'sst-synth-'));
  const started = performance.now();
  const { app, config } = buildApp({ outdir, context, env: {} });
  app.synth();
  const elapsedMs = performance.now() - started;
  const stacks = Object.fromEntries(
    STACK_NAMES.map((name) => [name, JSON.parse(readFileSync(join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) as TfJson]),
  ) as Synthesized['stacks'];
  return { outdir, config, stacks, elapsedMs, cleanup: () => rmSync(outdir, { recursive: true, force: true }) };
}

/** All resources of one type, as a list (tests rarely care about cdktf's logical ids). */
export function resources(stack: TfJson, type: string): Record<string, unknown>[] {
  return Object.values(stack.resource[type] ?? {});
}

/** The only resource of a type; fails loudly when there are none or several. */
export function only(stack: TfJson, type: string): Record<string, unknown> {
  const list = resources(stack, type);
  if (list.length !== 1) throw new Error(`expected exactly one ${type}, found ${list.length}`);
  return list[0]!;
}

/** The Terraform reference `${type.id.attr}` to the one resource of `type` (for cross-checking wiring). */
export function ref(stack: TfJson, type: string, attribute: string): string {
  const ids = Object.keys(stack.resource[type] ?? {});
  if (ids.length !== 1) throw new Error(`expected exactly one ${type}, found ${ids.length}`);
  return `\${${type}.${ids[0]}.${attribute}}`;
}

/** Parsed IAM policy statements of every aws_iam_role_policy whose role name matches. */
export function roleStatements(stack: TfJson, roleName: string): { Sid: string; Action: string[]; Resource: string[] }[] {
  const role = Object.entries(stack.resource['aws_iam_role'] ?? {}).find(([, r]) => r['name'] === roleName);
  if (!role) throw new Error(`no role named ${roleName}`);
  const roleRef = `\${aws_iam_role.${role[0]}.id}`;
  return resources(stack, 'aws_iam_role_policy')
    .filter((p) => p['role'] === roleRef)
    .flatMap((p) => (JSON.parse(p['policy'] as string) as { Statement: { Sid: string; Action: string[]; Resource: string[] }[] }).Statement);
}
