/**
 * The 80 COCO object classes and the words captions use for them (singular, plural, common synonyms),
 * for object-naming metrics and grounding. A form is one or more tokens (as `tokenize` gives them);
 * matching takes the longest form at each position, so "teddy bear" is a teddy bear, not a bear.
 * Known noise, left in: colour words ("an orange cat" names an orange), "glass" alone is not a wine glass.
 */
import { tokenize } from './tokenize.js';

/** COCO category id (as in COCO's instances files: 1–90 with gaps) → [class name, word forms]. */
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
  13: ['stop sign', ['stop sign', 'stop signs']],
  14: ['parking meter', ['parking meter', 'parking meters', 'meter']],
  15: ['bench', ['bench', 'benches']],
  16: ['bird', ['bird', 'birds', 'pigeon', 'pigeons', 'seagull', 'seagulls', 'duck', 'ducks', 'goose', 'geese', 'parrot', 'swan']],
  17: ['cat', ['cat', 'cats', 'kitten', 'kittens', 'kitty']],
  18: ['dog', ['dog', 'dogs', 'puppy', 'puppies', 'pup']],
  19: ['horse', ['horse', 'horses', 'pony', 'ponies', 'foal']],
  20: ['sheep', ['sheep', 'lamb', 'lambs', 'ram']],
  21: ['cow', ['cow', 'cows', 'cattle', 'bull', 'bulls', 'calf', 'calves', 'ox']],
  22: ['elephant', ['elephant', 'elephants']],
  23: ['bear', ['bear', 'bears']],
  24: ['zebra', ['zebra', 'zebras']],
  25: ['giraffe', ['giraffe', 'giraffes']],
  27: ['backpack', ['backpack', 'backpacks', 'back pack', 'rucksack']],
  28: ['umbrella', ['umbrella', 'umbrellas', 'parasol']],
  31: ['handbag', ['handbag', 'handbags', 'purse', 'purses', 'bag', 'bags']],
  32: ['tie', ['tie', 'ties', 'necktie']],
  33: ['suitcase', ['suitcase', 'suitcases', 'luggage']],
  34: ['frisbee', ['frisbee', 'frisbees']],
  35: ['skis', ['ski', 'skis']],
  36: ['snowboard', ['snowboard', 'snowboards']],
  37: ['sports ball', ['ball', 'balls', 'soccer ball', 'football', 'baseball', 'tennis ball', 'basketball']],
  38: ['kite', ['kite', 'kites']],
  39: ['baseball bat', ['bat', 'bats', 'baseball bat']],
  40: ['baseball glove', ['glove', 'gloves', 'mitt', 'baseball glove']],
  41: ['skateboard', ['skateboard', 'skateboards', 'skate board']],
  42: ['surfboard', ['surfboard', 'surfboards', 'surf board', 'board']],
  43: ['tennis racket', ['racket', 'rackets', 'racquet', 'racquets', 'tennis racket']],
  44: ['bottle', ['bottle', 'bottles']],
  46: ['wine glass', ['wine glass', 'wine glasses', 'wineglass', 'glass of wine', 'glasses of wine']],
  47: ['cup', ['cup', 'cups', 'mug', 'mugs', 'coffee cup']],
  48: ['fork', ['fork', 'forks']],
  49: ['knife', ['knife', 'knives']],
  50: ['spoon', ['spoon', 'spoons']],
  51: ['bowl', ['bowl', 'bowls']],
  52: ['banana', ['banana', 'bananas']],
  53: ['apple', ['apple', 'apples']],
  54: ['sandwich', ['sandwich', 'sandwiches', 'burger', 'hamburger', 'sub']],
  55: ['orange', ['orange', 'oranges']],
  56: ['broccoli', ['broccoli']],
  57: ['carrot', ['carrot', 'carrots']],
  58: ['hot dog', ['hot dog', 'hot dogs', 'hotdog', 'hotdogs']],
  59: ['pizza', ['pizza', 'pizzas']],
  60: ['donut', ['donut', 'donuts', 'doughnut', 'doughnuts']],
  61: ['cake', ['cake', 'cakes', 'cupcake', 'cupcakes']],
  62: ['chair', ['chair', 'chairs', 'stool']],
  63: ['couch', ['couch', 'couches', 'sofa', 'sofas']],
  64: ['potted plant', ['plant', 'plants', 'potted plant', 'houseplant']],
  65: ['bed', ['bed', 'beds']],
  67: ['dining table', ['table', 'tables', 'dining table', 'desk']],
  70: ['toilet', ['toilet', 'toilets']],
  72: ['tv', ['tv', 'tvs', 'television', 'televisions', 'monitor', 'screen']],
  73: ['laptop', ['laptop', 'laptops', 'computer', 'computers', 'notebook']],
  74: ['mouse', ['mouse', 'mice']],
  75: ['remote', ['remote', 'remotes', 'controller', 'controllers']],
  76: ['keyboard', ['keyboard', 'keyboards']],
  77: ['cell phone', ['phone', 'phones', 'cellphone', 'cell phone', 'smartphone', 'cellphones']],
  78: ['microwave', ['microwave', 'microwaves']],
  79: ['oven', ['oven', 'ovens', 'stove']],
  80: ['toaster', ['toaster', 'toasters']],
  81: ['sink', ['sink', 'sinks']],
  82: ['refrigerator', ['refrigerator', 'refrigerators', 'fridge', 'fridges']],
  84: ['book', ['book', 'books']],
  85: ['clock', ['clock', 'clocks']],
  86: ['vase', ['vase', 'vases']],
  87: ['scissors', ['scissors']],
  88: ['teddy bear', ['teddy bear', 'teddy bears', 'teddy', 'stuffed bear', 'stuffed animal']],
  89: ['hair drier', ['hair drier', 'hair dryer', 'blow dryer', 'hairdryer']],
  90: ['toothbrush', ['toothbrush', 'toothbrushes']],
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
