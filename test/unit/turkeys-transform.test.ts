import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INVALID_BREED_MESSAGE, InvalidBreedError, MAX_BREED_LENGTH, parseBreedParam } from '../../lib/turkeys/breed-param.ts';
import { generateTurkeys } from '../../lib/turkeys/generate.ts';
import { breedPageQuery } from '../../lib/turkeys/query.ts';
import { toBreedPage, toTurkeySummary } from '../../lib/turkeys/transform.ts';

describe('toBreedPage', () => {
  const turkeys = generateTurkeys(50, 1);

  it('keeps the query order and counts the items', () => {
    const page = toBreedPage('Bourbon Red', turkeys);
    assert.equal(page.breed, 'Bourbon Red');
    assert.equal(page.count, 50);
    assert.deepEqual(
      page.turkeys.map((t) => t.id),
      turkeys.map((t) => t.id),
    );
  });

  it('returns exactly the public fields, with numbers as numbers', () => {
    const summary = toTurkeySummary(turkeys[0]!);
    assert.deepEqual(Object.keys(summary), ['id', 'name', 'weightKg', 'sex', 'color', 'hatchDate', 'farm']);
    assert.equal(typeof summary.weightKg, 'number');
    assert.equal(summary.weightKg, turkeys[0]!.weightKg);
  });

  it('gives an empty page for a breed with no turkeys', () => {
    assert.deepEqual(toBreedPage('Unknown', []), { breed: 'Unknown', count: 0, turkeys: [] });
  });
});

describe('parseBreedParam', () => {
  it('accepts 1 to 64 characters, spaces and non-ASCII included', () => {
    assert.equal(parseBreedParam('a'), 'a');
    assert.equal(parseBreedParam("Bronzé d'Auvergne"), "Bronzé d'Auvergne");
    assert.equal(parseBreedParam('x'.repeat(MAX_BREED_LENGTH)), 'x'.repeat(64));
  });

  it('rejects empty, missing and overlong breeds with a stable code and message', () => {
    for (const bad of [undefined, null, '', 'x'.repeat(MAX_BREED_LENGTH + 1), 'y'.repeat(300)]) {
      assert.throws(
        () => parseBreedParam(bad),
        (error: unknown) =>
          error instanceof InvalidBreedError && error.code === 'INVALID_BREED' && error.status === 400 && error.message === INVALID_BREED_MESSAGE,
      );
    }
  });
});

describe('breedPageQuery', () => {
  it('queries the byBreed GSI for one breed, no limit (the first 1 MB page)', () => {
    const query = breedPageQuery('turkeys', "Merriam's Wild");
    assert.equal(query.IndexName, 'byBreed');
    assert.equal(query.Limit, undefined);
    assert.deepEqual(query.ExpressionAttributeValues, { ':breed': { S: "Merriam's Wild" } });
  });
});
