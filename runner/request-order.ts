import { seededRandom } from '../lib/random.ts';
import { turkeysUrl } from '../lib/stage/targets.ts';
import { BREEDS } from '../lib/turkeys/breeds.ts';

export const REQUEST_ORDER_DESCRIPTION =
  'GET /turkeys/{breed}; breeds in rounds, each round a seeded shuffle of the 87 breeds (lib/random.ts); same order for every target';

/** `count` breeds: rounds of seeded shuffles, so every breed is asked about equally often. */
export function breedOrder(seed: number, count: number, breeds: readonly string[] = BREEDS): string[] {
  const random = seededRandom(seed);
  const out: string[] = [];
  while (out.length < count) out.push(...random.shuffle(breeds));
  return out.slice(0, count);
}

/** Splits a target's base URL into the pool origin and the request paths for the given breeds. */
export function requestPlan(baseUrl: string, breeds: readonly string[]): { origin: string; paths: string[] } {
  const origin = new URL(baseUrl).origin;
  const paths = breeds.map((breed) => {
    const url = new URL(turkeysUrl(baseUrl, breed));
    return `${url.pathname}${url.search}`;
  });
  return { origin, paths };
}
