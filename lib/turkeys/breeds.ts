/**
 * The breeds the generator spreads turkeys over: 87, so each holds about 115 of 10,000. Real
 * heritage breeds and regional varieties, with spaces, apostrophes and non-ASCII letters on purpose:
 * every backend must encode, query and escape them the same way.
 */
export const BREEDS: readonly string[] = [
  'Auburn', 'Beltsville Small White', 'Black Spanish', 'Blue Slate', 'Bourbon Red', 'Broad Breasted Bronze',
  'Broad Breasted White', 'Buff', 'Chocolate', 'Eastern Wild', 'Jersey Buff', 'Lavender', 'Merriam\'s Wild',
  'Midget White', 'Narragansett', 'Nebraskan', 'Norfolk Black', 'Ocellated', 'Osceola Wild', 'Rio Grande Wild',
  'Royal Palm', 'Silver Auburn', 'Sweetgrass', 'Standard Bronze', 'White Holland', 'Gould\'s Wild',
  'Cambridge Bronze', 'Norfolk Bronze', 'Pied', 'Bronzé d\'Auvergne', 'Noir de Sologne', 'Rouge des Ardennes',
  'Dindon de Bresse', 'Noir du Gers', 'Dindon du Bourbonnais', 'Cröllwitzer', 'Bronzepute', 'Ronquières',
  'Brianzolo', 'Colle Euganei', 'Ermellinato di Rovigo', 'Nero di Parma e Piacenza', 'Bronzato Comune',
  'Nostrano', 'Magyar Bronz', 'Indyk Bronzowy', 'Pavo Negro Andaluz', 'Pavo de Cataluña', 'Peru Preto',
  'Kalkoen Bronskleur', 'Calkun Kolbász', 'Kalkun Sort', 'Kalkon Svart', 'Turkey Blue', 'Palm Red', 'Smoke',
  'Harvest Gold', 'Black-winged Bronze', 'Cinnamon', 'Calico', 'Fawn', 'Gray', 'Self-buff', 'Silver Fleck',
  'Sandy', 'Crimson Dawn', 'Spanish Black', 'Tiger Bronze', 'Rio Royal', 'Bourbon Butternut', 'Ohio Buckeye',
  'Kentucky Red', 'Virginia Slate', 'Carolina Bronze', 'Ozark Blue', 'Texas Brown', 'Mañana Gold',
  'Öland White', 'Skåne Black', 'Hōkkaidō Gray', 'Éire Bronze', 'Zürich Red', 'Łowicz Pied', 'São Paulo Bronze',
  'Ngā Pārae Bronze', 'Čadca Black', 'Île Blanche',
];
