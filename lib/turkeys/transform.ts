import type { BreedPage, Turkey, TurkeySummary } from './turkey.ts';

/**
 * The transform every backend applies: stored turkeys (in GSI order, which is by name) to the
 * response body. The VTL response template and the ASL definition implement the same mapping; the
 * parity test holds them to it.
 */
export function toTurkeySummary(turkey: Turkey): TurkeySummary {
  return {
    id: turkey.id,
    name: turkey.name,
    weightKg: turkey.weightKg,
    sex: turkey.sex,
    color: turkey.color,
    hatchDate: turkey.hatchDate,
    farm: turkey.farm,
  };
}

export function toBreedPage(breed: string, items: readonly Turkey[]): BreedPage {
  return { breed, count: items.length, turkeys: items.map(toTurkeySummary) };
}
