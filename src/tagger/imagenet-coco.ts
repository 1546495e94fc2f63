/**
 * ImageNet's 1,000 classes → COCO's 80, through WordNet's hypernyms (wordnet.ts): each COCO class is
 * anchored at one or a few WordNet senses (`lemma.N`, the N-th noun sense of the lemma, as WordNet 3.1
 * numbers them); an ImageNet class maps to the COCO class whose anchor is its nearest ancestor
 * ("tabby" → domestic_cat → cat; "school bus" → bus), or to none. The anchors are the only hand-written
 * part; `npm run map-imagenet` writes the resulting table for review and for the tagger.
 */
import type { Synset, WordNetNouns } from './wordnet.js';

/** COCO class name → WordNet anchors. Classes ImageNet has nothing under simply find no ImageNet class. */
const COCO_WORDNET_ANCHORS: Readonly<Record<string, readonly string[]>> = {
  person: ['person.1'],
  bicycle: ['bicycle.1'],
  car: ['car.1'],
  motorcycle: ['motorcycle.1', 'moped.1', 'motor_scooter.1'],
  airplane: ['airplane.1'],
  bus: ['bus.1'],
  train: ['train.1', 'locomotive.1', 'streetcar.1'],
  truck: ['truck.1'],
  boat: ['vessel.2'],
  'traffic light': ['traffic_light.1'],
  'fire hydrant': ['fireplug.1'],
  'stop sign': [],
  'parking meter': ['parking_meter.1'],
  bench: ['bench.1'],
  bird: ['bird.1'],
  cat: ['domestic_cat.1'],
  dog: ['dog.1'],
  horse: ['horse.1'],
  sheep: ['sheep.1'],
  cow: ['cattle.1'],
  elephant: ['elephant.1'],
  bear: ['bear.1'],
  zebra: ['zebra.1'],
  giraffe: ['giraffe.1'],
  backpack: ['backpack.1'],
  umbrella: ['umbrella.1'],
  handbag: ['handbag.1'],
  tie: ['necktie.1', 'bow_tie.1'],
  suitcase: ['suitcase.1'],
  frisbee: ['frisbee.1'],
  skis: ['ski.1'],
  snowboard: ['snowboard.1'],
  'sports ball': ['ball.1'],
  kite: ['kite.3'], // the toy; ImageNet's "kite" is the bird (kite.4)
  'baseball bat': ['baseball_bat.1'],
  'baseball glove': ['baseball_glove.1'],
  skateboard: ['skateboard.1'],
  surfboard: ['surfboard.1'],
  'tennis racket': ['racket.4'],
  bottle: ['bottle.1'],
  'wine glass': ['wineglass.1'],
  cup: ['cup.1', 'mug.4'],
  fork: ['fork.1'],
  knife: ['knife.1'],
  spoon: ['spoon.1'],
  bowl: ['bowl.1', 'bowl.3'],
  banana: ['banana.2'],
  apple: ['apple.1'],
  sandwich: ['sandwich.1'],
  orange: ['orange.1'],
  broccoli: ['broccoli.2'],
  carrot: ['carrot.3'],
  'hot dog': ['hotdog.2'],
  pizza: ['pizza.1'],
  donut: ['doughnut.1'],
  cake: ['cake.3'],
  chair: ['chair.1'],
  couch: ['sofa.1'],
  'potted plant': ['pot.4'],
  bed: ['bed.1'],
  'dining table': ['table.2', 'table.3'],
  toilet: ['toilet.2', 'toilet_seat.1'],
  tv: ['television_receiver.1', 'television.2', 'monitor.4', 'screen.3'], // ImageNet's "television" is the system (television.2)
  laptop: ['laptop.1', 'notebook_computer.1'],
  mouse: ['mouse.4'],
  remote: ['remote_control.1'],
  keyboard: ['computer_keyboard.1'],
  'cell phone': ['cellular_telephone.1'],
  microwave: ['microwave.2'],
  oven: ['oven.1', 'stove.1'],
  toaster: ['toaster.1'],
  sink: ['sink.1', 'washbasin.1', 'washbasin.2'],
  refrigerator: ['refrigerator.1'],
  book: ['book.2'],
  clock: ['clock.1'],
  vase: ['vase.1'],
  scissors: ['scissors.1'],
  'teddy bear': ['teddy.1'],
  'hair drier': ['hair_dryer.1'],
  toothbrush: ['toothbrush.1'],
};

/**
 * ImageNet class names whose sense the offset order cannot settle (their candidates are neighbours in
 * WordNet): "monitor" is the display (monitor.4), not the ironclad ship (monitor.3); "cup" the vessel (cup.1), not the punch (cup.6).
 */
const IMAGENET_SENSE_OVERRIDES: Readonly<Record<string, string>> = { monitor: 'monitor.4', cup: 'cup.1' };

/** `lemma.N` → the N-th noun sense of the lemma, or undefined. */
function senseNamed(wn: WordNetNouns, sense: string): Synset | undefined {
  const m = /^(.+)\.(\d+)$/.exec(sense);
  return m ? wn.sensesOf(m[1]!)[Number(m[2]) - 1] : undefined;
}

export interface AnchorSynset {
  cls: string;
  anchor: string;
  offset: string;
  words: string[];
  gloss: string;
}

/** The anchors' synsets; throws naming an anchor WordNet does not have. */
export function anchorSynsets(wn: WordNetNouns): AnchorSynset[] {
  return Object.entries(COCO_WORDNET_ANCHORS).flatMap(([cls, anchors]) =>
    anchors.map((anchor) => {
      const s = senseNamed(wn, anchor);
      if (!s) throw new Error(`WordNet has no noun sense ${anchor} (anchor of ${cls})`);
      return { cls, anchor, offset: s.offset, words: s.words, gloss: s.gloss };
    }),
  );
}

export interface ImagenetMapping {
  /** ImageNet class index (the order of @tensorflow-models/mobilenet's IMAGENET_CLASSES). */
  index: number;
  name: string;
  /** The COCO class, or null. */
  cls: string | null;
  /** Which anchor it was reached through, and how many hypernym steps up. */
  via?: string;
  steps?: number;
}

/** Every ImageNet class name (index order) → its COCO class through the nearest anchor. */
export function mapImagenetToCoco(wn: WordNetNouns, names: readonly string[]): ImagenetMapping[] {
  const anchors = anchorSynsets(wn);
  const synsets = wn.synsetsOfClassList(names);
  return names.map((name, index) => {
    const override = IMAGENET_SENSE_OVERRIDES[name];
    const synset = override === undefined ? synsets[index] : senseNamed(wn, override);
    if (!synset) return { index, name, cls: null };
    const up = wn.ancestors(synset.offset);
    let best: { a: AnchorSynset; steps: number } | undefined;
    for (const a of anchors) {
      const steps = up.get(a.offset);
      if (steps !== undefined && (!best || steps < best.steps)) best = { a, steps };
    }
    return best ? { index, name, cls: best.a.cls, via: best.a.anchor, steps: best.steps } : { index, name, cls: null };
  });
}
