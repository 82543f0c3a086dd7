import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, repoPath } from '../lib/repo-root.ts';
import { BUNDLES, type BundleSpec } from './bundles.ts';

// esbuild's ESM output has no `require`; a few CommonJS dependencies (express) need one.
const requireShim = "import { createRequire as __kitCreateRequire } from 'node:module'; const require = __kitCreateRequire(import.meta.url);";

export interface BuiltBundle {
  spec: BundleSpec;
  bytes: number;
  /** Modules the bundle still loads at run time (esbuild's external imports): Node built-ins only, by design. */
  externals: string[];
}

export async function buildBundle(spec: BundleSpec): Promise<BuiltBundle> {
  const { metafile } = await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: [spec.entry],
    outfile: spec.outfile,
    bundle: true,
    minify: true,
    treeShaking: true,
    sourcemap: false,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: requireShim },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  const imports = metafile.outputs[spec.outfile]?.imports ?? [];
  const externals = [...new Set(imports.filter((i) => i.external).map((i) => i.path))].sort();
  return { spec, bytes: statSync(repoPath(spec.outfile)).size, externals };
}

/** Builds the bundles whose outfile is listed (paths relative to the repo root). */
export async function buildBundles(outfiles: readonly string[]): Promise<BuiltBundle[]> {
  const specs = outfiles.map((outfile) => {
    const spec = BUNDLES.find((b) => b.outfile === outfile);
    if (!spec) throw new Error(`no bundle with outfile ${outfile} in scripts/bundles.ts`);
    return spec;
  });
  return Promise.all(specs.map(buildBundle));
}

export async function buildAllBundles(): Promise<BuiltBundle[]> {
  return Promise.all(BUNDLES.map(buildBundle));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const results = await buildAllBundles();
  for (const { spec, bytes } of results) {
    console.log(`${spec.outfile.padEnd(48)} ${(bytes / 1024).toFixed(1).padStart(8)} KiB  ${spec.name}`);
  }
}
