/**
 * The 80 COCO object classes and the words captions use for them (singular, plural, common synonyms),
 * for object-naming metrics and grounding. A form is one or more tokens (as `tokenize` gives them);
 * matching takes the longest form at each position, so "teddy bear" is a teddy bear, not a bear.
 * Known noise, left in: colour words ("an orange cat" names an orange), "glass" alone is not a wine glass.
 */
import { tokenize } from '../data/tokenize.js';

/** COCO category id → [class name, word forms]. */
const TABLE: Record<number, [string, string[]]> = {
  1: ['person', ['person', 'persons', 'people', 'man', 'men', 'woman', 'women', 'boy', 'boys', 'girl', 'girls', 'child', 'children', 'kid', 'kids', 'guy', 'guys', 'lady', 'ladies', 'baby', 'babies', 'toddler', 'player', 'players', 'skier', 'skiers', 'surfer', 'surfers', 'skateboarder', 'snowboarder', 'rider', 'gentleman', 'adult', 'adults', 'teenager', 'crowd']],
  2: ['bicycle', ['bicycle', 'bicycles', 'bike', 'bikes', 'cycle']],
  3: ['car', ['car', 'cars', 'taxi', 'cab', 'suv', 'sedan', 'automobile']],
  4: ['motorcycle', ['motorcycle', 'motorcycles', 'motorbike', 'motorbikes', 'dirt bike', 'scooter', 'scooters', 'moped']],
  5: ['airplane', ['airplane', 'airplanes', 'plane', 'planes', 'jet', 'jets', 'aircraft', 'airliner']],
  6: ['bus', ['bus', 'buses', 'busses']],
  7: ['train', ['train', 'trains', 'locomotive', 'tram', 'trolley']],
  8: ['truck', ['truck', 'trucks', 'pickup', 'lorry']],
  9: ['boat', ['boat', 'boats', 'ship', 'ships', 'sailboat', 'sailboats', 'canoe', 'kayak', 'yacht', 'ferry']],
  10: ['traffic light', ['traffic light', 'traffic lights', 'stoplight', 'stop light', 'traffic signal']],
  11: ['fire hydrant', ['fire hydrant', 'hydrant', 'hydrants']],
  12: ['stop sign', ['stop sign', 'stop signs']],
  13: ['parking meter', ['parking meter', 'parking meters', 'meter']],
  14: ['bench', ['bench', 'benches']],
  15: ['bird', ['bird', 'birds', 'pigeon', 'pigeons', 'seagull', 'seagulls', 'duck', 'ducks', 'goose', 'geese', 'parrot', 'swan']],
  16: ['cat', ['cat', 'cats', 'kitten', 'kittens', 'kitty']],
  17: ['dog', ['dog', 'dogs', 'puppy', 'puppies', 'pup']],
  18: ['horse', ['horse', 'horses', 'pony', 'ponies', 'foal']],
  19: ['sheep', ['sheep', 'lamb', 'lambs', 'ram']],
  20: ['cow', ['cow', 'cows', 'cattle', 'bull', 'bulls', 'calf', 'calves', 'ox']],
  21: ['elephant', ['elephant', 'elephants']],
  22: ['bear', ['bear', 'bears']],
  23: ['zebra', ['zebra', 'zebras']],
  24: ['giraffe', ['giraffe', 'giraffes']],
  25: ['backpack', ['backpack', 'backpacks', 'back pack', 'rucksack']],
  26: ['umbrella', ['umbrella', 'umbrellas', 'parasol']],
  27: ['handbag', ['handbag', 'handbags', 'purse', 'purses', 'bag', 'bags']],
  28: ['tie', ['tie', 'ties', 'necktie']],
  29: ['suitcase', ['suitcase', 'suitcases', 'luggage']],
  30: ['frisbee', ['frisbee', 'frisbees']],
  31: ['skis', ['ski', 'skis']],
  32: ['snowboard', ['snowboard', 'snowboards']],
  33: ['sports ball', ['ball', 'balls', 'soccer ball', 'football', 'baseball', 'tennis ball', 'basketball']],
  34: ['kite', ['kite', 'kites']],
  35: ['baseball bat', ['bat', 'bats', 'baseball bat']],
  36: ['baseball glove', ['glove', 'gloves', 'mitt', 'baseball glove']],
  37: ['skateboard', ['skateboard', 'skateboards', 'skate board']],
  38: ['surfboard', ['surfboard', 'surfboards', 'surf board', 'board']],
  39: ['tennis racket', ['racket', 'rackets', 'racquet', 'racquets', 'tennis racket']],
  40: ['bottle', ['bottle', 'bottles']],
  41: ['wine glass', ['wine glass', 'wine glasses', 'wineglass', 'glass of wine', 'glasses of wine']],
  42: ['cup', ['cup', 'cups', 'mug', 'mugs', 'coffee cup']],
  43: ['fork', ['fork', 'forks']],
  44: ['knife', ['knife', 'knives']],
  45: ['spoon', ['spoon', 'spoons']],
  46: ['bowl', ['bowl', 'bowls']],
  47: ['banana', ['banana', 'bananas']],
  48: ['apple', ['apple', 'apples']],
  49: ['sandwich', ['sandwich', 'sandwiches', 'burger', 'hamburger', 'sub']],
  50: ['orange', ['orange', 'oranges']],
  51: ['broccoli', ['broccoli']],
  52: ['carrot', ['carrot', 'carrots']],
  53: ['hot dog', ['hot dog', 'hot dogs', 'hotdog', 'hotdogs']],
  54: ['pizza', ['pizza', 'pizzas']],
  55: ['donut', ['donut', 'donuts', 'doughnut', 'doughnuts']],
  56: ['cake', ['cake', 'cakes', 'cupcake', 'cupcakes']],
  57: ['chair', ['chair', 'chairs', 'stool']],
  58: ['couch', ['couch', 'couches', 'sofa', 'sofas']],
  59: ['potted plant', ['plant', 'plants', 'potted plant', 'houseplant']],
  60: ['bed', ['bed', 'beds']],
  61: ['dining table', ['table', 'tables', 'dining table', 'desk']],
  62: ['toilet', ['toilet', 'toilets']],
  63: ['tv', ['tv', 'tvs', 'television', 'televisions', 'monitor', 'screen']],
  64: ['laptop', ['laptop', 'laptops', 'computer', 'computers', 'notebook']],
  65: ['mouse', ['mouse', 'mice']],
  66: ['remote', ['remote', 'remotes', 'controller', 'controllers']],
  67: ['keyboard', ['keyboard', 'keyboards']],
  68: ['cell phone', ['phone', 'phones', 'cellphone', 'cell phone', 'smartphone', 'cellphones']],
  69: ['microwave', ['microwave', 'microwaves']],
  70: ['oven', ['oven', 'ovens', 'stove']],
  71: ['toaster', ['toaster', 'toasters']],
  72: ['sink', ['sink', 'sinks']],
  73: ['refrigerator', ['refrigerator', 'refrigerators', 'fridge', 'fridges']],
  74: ['book', ['book', 'books']],
  75: ['clock', ['clock', 'clocks']],
  76: ['vase', ['vase', 'vases']],
  77: ['scissors', ['scissors']],
  78: ['teddy bear', ['teddy bear', 'teddy bears', 'teddy', 'stuffed bear', 'stuffed animal']],
  79: ['hair drier', ['hair drier', 'hair dryer', 'blow dryer', 'hairdryer']],
  80: ['toothbrush', ['toothbrush', 'toothbrushes']],
};

export interface CocoClass {
  /** COCO category id. */
  id: number;
  name: string;
  /** Word forms, tokenized. */
  forms: string[][];
}

export const COCO_CLASSES: readonly CocoClass[] = Object.entries(TABLE).map(([id, [name, forms]]) => ({
  id: Number(id),
  name,
  forms: forms.map((f) => tokenize(f)),
}));

/** Every (form, class) pair, longest form first, for matching. */
const FORMS = COCO_CLASSES.flatMap((c) => c.forms.map((f) => ({ form: f, cls: c }))).sort((a, b) => b.form.length - a.form.length);

export interface ClassMention {
  cls: CocoClass;
  /** Token positions of the form: [start, end] (end inclusive; the head noun is the last token). */
  start: number;
  end: number;
}

/** The class mentions in a tokenized caption, left to right, longest form at each position. */
export function findClassMentions(tokens: readonly string[]): ClassMention[] {
  const out: ClassMention[] = [];
  for (let i = 0; i < tokens.length; ) {
    const hit = FORMS.find(({ form }) => form.every((w, k) => tokens[i + k] === w));
    if (hit) {
      out.push({ cls: hit.cls, start: i, end: i + hit.form.length - 1 });
      i += hit.form.length;
    } else {
      i++;
    }
  }
  return out;
}

/** The classes (ids) a caption names. */
export function classesNamed(tokens: readonly string[]): Set<number> {
  return new Set(findClassMentions(tokens).map((m) => m.cls.id));
}

export const PERSON_CLASS = 1;
