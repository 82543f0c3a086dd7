import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BUNDLES } from '../../scripts/bundles.ts';
import { REPO_ROOT } from '../../lib/repo-root.ts';
import { CONTAINER_IMAGES } from '../../stacks/constructs/container-image.ts';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
/** Dockerfile instructions, comments and blank lines dropped. */
const instructions = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

describe('container images', () => {
  for (const [name, image] of Object.entries(CONTAINER_IMAGES)) {
    describe(name, () => {
      const lines = instructions(read(image.dockerfile));

      it('starts from node:22-slim and copies only its esbuild bundle, which the build produces', () => {
        assert.equal(lines[0], 'FROM node:22-slim');
        assert.equal(lines.filter((l) => l.startsWith('FROM ')).length, 1);
        assert.ok(BUNDLES.some((b) => b.outfile === image.bundle), `${image.bundle} is in scripts/bundles.ts`);
        const copies = lines.filter((l) => /^(COPY|ADD) /.test(l));
        assert.equal(copies.length, 1);
        assert.match(copies[0]!, new RegExp(`^COPY (--chown=\\S+ )?${image.bundle.replace(/\./g, '\\.')} `));
      });

      it('installs no dependencies and runs as a non-root user', () => {
        assert.ok(!lines.some((l) => /\b(npm|yarn|pnpm)\b/.test(l)), 'no package manager runs in the image');
        const users = lines.filter((l) => l.startsWith('USER '));
        assert.equal(users.length, 1);
        assert.doesNotMatch(users[0]!, /^USER (root|0)\b/);
        const userAt = lines.indexOf(users[0]!);
        assert.ok(lines.findIndex((l) => l.startsWith('CMD ')) > userAt, 'USER comes before CMD');
        assert.match(lines.at(-1)!, /^CMD \["node", "[a-z]+\.mjs"\]$/);
      });
    });
  }

  it('.dockerignore sends exactly the two bundles to the build', () => {
    const lines = instructions(read('.dockerignore'));
    assert.equal(lines[0], '*');
    assert.deepEqual(
      lines.slice(1).sort(),
      Object.values(CONTAINER_IMAGES)
        .map((i) => `!${i.bundle}`)
        .sort(),
    );
  });
});

describe('docs/deploy.md', () => {
  it('pushes plain images: every docker buildx command has --provenance=false', () => {
    const commands = read('docs/deploy.md').split('\n').filter((l) => /docker buildx build/.test(l));
    assert.ok(commands.length >= 2, 'deploy.md builds both images');
    for (const command of commands) assert.match(command, /--provenance=false/, command);
  });
});
