import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { BREEDS } from '../../lib/turkeys/breeds.ts';
import { DEFAULT_TURKEY_COUNT, dynamoItemSize, generateTurkeys } from '../../lib/turkeys/generate.ts';

const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

describe('generateTurkeys', () => {
  const turkeys = generateTurkeys();

  it('makes 10,000 turkeys by default', () => {
    assert.equal(DEFAULT_TURKEY_COUNT, 10_000);
    assert.equal(turkeys.length, 10_000);
  });

  it('is deterministic: same seed, same items byte for byte', () => {
    assert.equal(digest(generateTurkeys()), digest(turkeys));
  });

  it('changes with the seed', () => {
    assert.notEqual(digest(generateTurkeys(DEFAULT_TURKEY_COUNT, 7)), digest(turkeys));
  });

  it('is pinned: the default data set has not drifted (update only on purpose, it breaks comparisons)', () => {
    assert.equal(digest(turkeys), 'a746838cffc174e826b2904372ba051147f92c716d119ecd87cf87c12cf3d5ea');
  });

  it('keeps each item about 0.3 KB as DynamoDB sizes it', () => {
    const sizes = turkeys.map((t) => dynamoItemSize(t as unknown as Record<string, string | number | boolean>));
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    assert.ok(average > 250 && average < 350, `average item size ${average} bytes`);
    assert.ok(Math.max(...sizes) < 400, `largest item ${Math.max(...sizes)} bytes`);
  });

  it('spreads turkeys evenly over all 87 breeds (about 115 each)', () => {
    assert.equal(BREEDS.length, 87);
    const perBreed = new Map<string, number>();
    for (const t of turkeys) perBreed.set(t.breed, (perBreed.get(t.breed) ?? 0) + 1);
    assert.equal(perBreed.size, 87);
    for (const [breed, count] of perBreed) assert.ok(count === 114 || count === 115, `${breed}: ${count}`);
  });

  it('gives unique ids and unique names (the GSI sort key, so order within a breed is total)', () => {
    assert.equal(new Set(turkeys.map((t) => t.id)).size, turkeys.length);
    assert.equal(new Set(turkeys.map((t) => t.name)).size, turkeys.length);
  });

  it('includes the awkward characters backends must escape', () => {
    assert.ok(turkeys.some((t) => t.name.includes("'")), 'a name with an apostrophe');
    assert.ok(turkeys.some((t) => /[^\x00-\x7f]/.test(t.name)), 'a name with non-ASCII letters');
    assert.ok(BREEDS.some((b) => b.includes("'") && /[^\x00-\x7f]/.test(b)), 'a breed with both');
  });

  it('rejects a count it cannot fill with unique names', () => {
    assert.throws(() => generateTurkeys(0), RangeError);
    assert.throws(() => generateTurkeys(10_000_000), RangeError);
  });
});
