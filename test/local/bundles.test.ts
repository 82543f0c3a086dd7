import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { describe, it } from 'node:test';
import { repoPath } from '../../lib/repo-root.ts';
import { API_STAGE_BUNDLES } from '../../local-stage/bundles.ts';
import { buildBundles } from '../../scripts/build-bundles.ts';

const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

describe('the API bundles (Lambda handler, App Runner service)', () => {
  it('are each one minified file that loads nothing but Node built-ins (AWS SDK and Express inside)', async () => {
    const built = await buildBundles(API_STAGE_BUNDLES);
    assert.deepEqual(
      built.map((b) => b.spec.outfile),
      API_STAGE_BUNDLES,
    );
    for (const { spec, bytes, externals } of built) {
      const code = readFileSync(repoPath(spec.outfile), 'utf8');
      assert.equal(Buffer.byteLength(code), bytes, `${spec.outfile}: the reported size is the file's size`);
      assert.ok(externals.length > 0, `${spec.outfile}: esbuild reported its external imports`);
      assert.deepEqual(externals.filter((s) => !isBuiltin(s)), [], `${spec.outfile} loads modules from outside the bundle`);
      assert.ok(bytes / code.split('\n').length > 1_000, `${spec.outfile} is minified`);
    }
  });
});
