import { seededRandom } from '../random.ts';
import { BREEDS } from './breeds.ts';
import type { Turkey } from './turkey.ts';

export const DEFAULT_TURKEY_COUNT = 10_000;
export const DEFAULT_TURKEY_SEED = 20231123;

const FIRST_NAMES = [
  'Gobbles', 'Butterball', 'Drumstick', 'Waddles', 'Tom', 'Penny', 'Cranberry', 'Nutmeg', 'Pumpkin', 'Pilgrim',
  'Maple', 'Hazel', 'Clover', 'Biscuit', 'Gravy', 'Stuffing', 'Pecan', 'Cinnamon', 'Juniper', 'Acorn',
  'Basil', 'Sage', 'Rosemary', 'Thyme', 'Ginger', 'Honey', 'Marigold', 'Willow', 'Chestnut', 'Clementine',
  'Dumpling', 'Fritter', 'Muffin', 'Noodle', 'Pickles', 'Pudding', 'Sprout', 'Truffle', 'Wishbone', 'Zoë',
  'Renée', 'José', 'Søren', 'Björn', 'Chloé', 'Inés', 'Ramón', 'Élodie', 'Jürgen', 'Mei',
  'Amara', 'Kofi', 'Priya', 'Aroha', 'Nikolai', 'Yuki', 'Lucía', 'Matteo', 'Aisling', 'Tadhg',
  'Beatrix', 'Cornelius', 'Dorothea', 'Ebenezer', 'Florence', 'Gertrude', 'Horace', 'Ignatius', 'Josephine', 'Mortimer',
  'Agatha', 'Barnaby', 'Cecil', 'Delphine', 'Edmund', 'Fenella', 'Gideon', 'Harriet', 'Ottilie', 'Percival',
];
const LAST_NAMES = [
  'Featherstone', 'McGobble', "O'Feathers", "D'Arcy", 'Wattle', 'Snood', 'Tailfan', 'Strut', 'Plume', 'Quill',
  'Barnsworth', 'Cornfield', 'Haybale', 'Meadows', 'Orchard', 'Pasture', 'Thicket', 'Hedgerow', 'Brook', 'Hollow',
  'von Kammer', 'de la Cruz', 'Müller', 'Ångström', 'Núñez', 'Østergaard', 'Čapek', 'Łukasz', 'Ó Briain', 'Nakamura',
  'the Bold', 'the Brave', 'the Wise', 'the Third', 'the Elder', 'the Younger', 'Junior', 'Senior', 'of the Glen', 'of the Hill',
  'Goldleaf', 'Rustwing', 'Ironclaw', 'Silverbeak', 'Copperneck', 'Ashfeather', 'Emberwing', 'Frostcomb', 'Stormtail', 'Sunspur',
  'Applegate', 'Beechwood', 'Cloverdale', 'Dunmore', 'Elmsworth', 'Foxley', 'Glenrock', 'Hartfield', 'Ivybridge', 'Kingsley',
  'Larkspur', 'Millbrook', 'Northcote', 'Oakhurst', 'Pembroke', 'Ravensworth', 'Stoneleigh', 'Thornbury', 'Underwood', 'Westbrook',
  'Ashby', 'Bramble', 'Crumble', 'Dapple', 'Fiddle', 'Gumdrop', 'Hopscotch', 'Jumble', 'Kettle', 'Lollipop',
  'Marmalade', 'Nibble', 'Puddle', 'Ripple', 'Scramble', 'Tumble', 'Wobble', 'Yodel', 'Zigzag', 'Bumble',
  'Cobble', 'Doodle', 'Flapjack', 'Giggle', 'Hiccup', 'Jiggle', 'Kerfuffle', 'Muddle', 'Noodle', 'Pebble',
  'Quibble', 'Rumble', 'Sizzle', 'Twinkle', 'Waffle', 'Whistle', 'Snickerdoodle', 'Tiddlywink', 'Razzmatazz', 'Brouhaha',
  'Ballyhoo', 'Hullabaloo', 'Fandango', 'Shenanigan', 'Skedaddle', 'Lickety', 'Gallivant', 'Hobnob', 'Rigmarole', 'Whippersnapper',
  'Bamboozle', 'Canoodle', 'Dillydally', 'Flibbertigibbet', 'Gobbledygook', 'Hodgepodge', 'Lollygag', 'Mumbo', 'Nincompoop', 'Poppycock',
];
const COLORS = ['bronze', 'white', 'black', 'red', 'slate blue', 'buff', 'chocolate', 'lavender', 'palm', 'narragansett gray', 'smoke', 'fawn'];
const FARMS = [
  'Willow Creek Farm', 'Sunny Acres', 'Green Pastures', 'Maple Hollow', 'Red Barn Ranch', 'Cedar Ridge', 'Hillside Homestead',
  'Riverbend Farm', 'Oak Valley', 'Prairie Wind', 'Golden Fields', 'Misty Meadows', 'Stony Brook', 'Blue Sky Ranch',
  'Harvest Moon Farm', 'Pine Hollow', 'Bramble Patch', 'Fox Run Farm', 'Whispering Pines', "Miller's Pond",
  'Ferme du Soleil', 'Gut Lindenhof', 'Cascina Rossa', 'Granja El Roble', 'Hofstede De Eik', 'Gård Solbakken',
];
const REGIONS = ['VA', 'NC', 'KY', 'OH', 'TX', 'MN', 'IA', 'IN', 'MO', 'AR', 'CA', 'OR', 'PA', 'NY', 'WI', 'FR', 'DE', 'IT', 'ES', 'NL', 'DK'];
const DIETS = ['pasture', 'grain', 'mixed', 'organic', 'forage'];
const NOTES = [
  'Friendly with visitors and first to the feeder every morning.',
  'Prefers the shade of the old oak; roosts high and wakes early.',
  'Shows strong foraging instinct; best kept on rotational pasture.',
  'Calm temperament, easy to handle, good mother to poults.',
  'Loud at dawn. Neighbours have been informed and are not amused.',
  'Recovered fully from a minor leg injury last spring; no limp.',
  'Heritage line kept for breeding; records go back six generations.',
  'Enjoys dust baths and has a favourite patch by the fence.',
];

const HATCH_START = Date.UTC(2024, 0, 1);
const HATCH_DAYS = 730;
const WEIGHED_START = Date.UTC(2026, 0, 1);

/**
 * The benchmark's data set: `count` turkeys, deterministic from `seed` (same seed and count, same
 * items byte for byte). Breeds are dealt evenly (count / 87 each, ±1) and shuffled; names are unique.
 */
export function generateTurkeys(count: number = DEFAULT_TURKEY_COUNT, seed: number = DEFAULT_TURKEY_SEED): Turkey[] {
  if (!Number.isInteger(count) || count < 1 || count > FIRST_NAMES.length * LAST_NAMES.length) {
    throw new RangeError(`turkey count must be an integer from 1 to ${FIRST_NAMES.length * LAST_NAMES.length}; got ${count}`);
  }
  const random = seededRandom(seed);
  const breeds = random.shuffle(Array.from({ length: count }, (_, i) => BREEDS[i % BREEDS.length]!));
  const names = new Set<string>();
  const ids = new Set<string>();
  const turkeys: Turkey[] = [];
  for (let i = 0; i < count; i++) {
    let name: string;
    do name = `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
    while (names.has(name));
    names.add(name);
    let id: string;
    do id = `tky-${hex(random, 8)}-${hex(random, 4)}-${hex(random, 4)}`;
    while (ids.has(id));
    ids.add(id);
    const hatch = new Date(HATCH_START + random.int(0, HATCH_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
    const region = random.pick(REGIONS);
    turkeys.push({
      id,
      name,
      breed: breeds[i]!,
      weightKg: random.int(40, 180) / 10,
      heightCm: random.int(60, 110),
      sex: random.int(0, 1) === 0 ? 'hen' : 'tom',
      color: random.pick(COLORS),
      hatchDate: hatch,
      farm: random.pick(FARMS),
      farmRegion: region,
      diet: random.pick(DIETS),
      vaccinated: random.int(0, 9) > 0,
      notes: random.pick(NOTES),
      tag: `${region}-${hatch.slice(0, 4)}-${String(random.int(0, 99_999)).padStart(5, '0')}`,
      lastWeighedAt: new Date(WEIGHED_START + random.int(0, 365 * 86_400 - 1) * 1000).toISOString(),
    });
  }
  return turkeys;
}

function hex(random: ReturnType<typeof seededRandom>, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += random.int(0, 15).toString(16);
  return out;
}

/** DynamoDB's item size: attribute name bytes plus value bytes (numbers approximated by digits). */
export function dynamoItemSize(item: Record<string, string | number | boolean>): number {
  let size = 0;
  for (const [key, value] of Object.entries(item)) {
    size += Buffer.byteLength(key);
    if (typeof value === 'string') size += Buffer.byteLength(value);
    else if (typeof value === 'number') size += Math.ceil(String(value).replace(/[-.]/g, '').length / 2) + 1;
    else size += 1;
  }
  return size;
}
