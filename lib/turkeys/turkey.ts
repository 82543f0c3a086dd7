/** One turkey as stored in the `turkeys` table (about 0.3 KB). */
export interface Turkey {
  id: string;
  name: string;
  breed: string;
  weightKg: number;
  heightCm: number;
  sex: 'hen' | 'tom';
  color: string;
  hatchDate: string;
  farm: string;
  farmRegion: string;
  diet: string;
  vaccinated: boolean;
  notes: string;
  tag: string;
  lastWeighedAt: string;
}

/** One turkey as every backend returns it. */
export interface TurkeySummary {
  id: string;
  name: string;
  weightKg: number;
  sex: string;
  color: string;
  hatchDate: string;
  farm: string;
}

/** The response body of GET /turkeys/{breed}, identical on every backend. */
export interface BreedPage {
  breed: string;
  count: number;
  turkeys: TurkeySummary[];
}
