import { DEFAULT_TURKEY_COUNT, DEFAULT_TURKEY_SEED, generateTurkeys } from './generate.ts';

const cache = new Map<string, ReadonlyMap<string, number>>();

/**
 * How many turkeys of each breed the seeded data set holds (what `GET /turkeys/{breed}` must count);
 * a breed absent from the map holds none. Computed once per (count, seed).
 */
export function breedCounts(count: number = DEFAULT_TURKEY_COUNT, seed: number = DEFAULT_TURKEY_SEED): ReadonlyMap<string, number> {
  const key = `${count}/${seed}`;
  let counts = cache.get(key);
  if (!counts) {
    const m = new Map<string, number>();
    for (const turkey of generateTurkeys(count, seed)) m.set(turkey.breed, (m.get(turkey.breed) ?? 0) + 1);
    counts = m;
    cache.set(key, counts);
  }
  return counts;
}
