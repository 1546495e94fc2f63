/**
 * The shapes grounding set in memory: deterministic scenes (same options → same scenes) split into
 * train/val/test so that the held-out colour–shape pairs never occur in train and every val/test
 * image contains at least one of them. Each image's randomness comes from its own stream
 * `deriveSeed(seed, split, index)`, so changing one split's count leaves the other splits unchanged.
 */
import * as path from 'node:path';
import type { CaptionedImage, Split, WordBox } from '../dataset.js';
import { SPLITS } from '../dataset.js';
import { deriveSeed, mulberry32, pick, randomInt, shuffled, type Rng } from '../../util/random.js';
import {
  ALL_PAIRS,
  COLOUR_RGB,
  DEFAULT_HELD_OUT,
  describe,
  isPair,
  type Arrangement,
  type Colour,
  type Pair,
  type ShapeKind,
  type ShapeObject,
} from './grammar.js';
import { layoutBoxes } from './layout.js';

export interface ShapesOptions {
  seed: number;
  /** Side of the square images in pixels (default 224; at least 112). */
  size?: number;
  /** Images per split. */
  counts: Record<Split, number>;
  /** Colour–shape pairs kept out of train (default: green circle, red triangle, yellow square). */
  heldOut?: readonly string[];
}

export interface ShapeScene {
  /** `train-0000` …; the image file is `images/<id>.png`. */
  id: string;
  split: Split;
  size: number;
  background: [number, number, number];
  arrangement: Arrangement;
  /** In caption order (left → right, or top → bottom). */
  objects: ShapeObject[];
  caption: string;
  boxes: WordBox[];
}

/** Share of images with 1, 2, 3 objects. */
const OBJECT_COUNT_WEIGHTS: readonly [number, number, number] = [0.2, 0.4, 0.4];
const FILL_JITTER = 12;

/** `--count N` → 80 % train, 10 % val, the rest test (1500 → 1200 / 150 / 150). */
export function splitCounts(total: number): Record<Split, number> {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`count must be an integer ≥ 0, got ${total}`);
  const train = Math.round(total * 0.8);
  const val = Math.round(total * 0.1);
  return { train, val, test: total - train - val };
}

function objectCount(rng: Rng): number {
  const u = rng();
  const [w1, w2] = OBJECT_COUNT_WEIGHTS;
  return u < w1 ? 1 : u < w1 + w2 ? 2 : 3;
}

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
const jitterRgb = (rng: Rng, base: readonly number[], amount: number): [number, number, number] =>
  [0, 1, 2].map((i) => clampByte((base[i] ?? 0) + (rng() * 2 - 1) * amount)) as [number, number, number];

/** Pairs of one image: train draws from the seen pairs; val/test start with a held-out pair (cycling
 * through them by index, so they are balanced) and add others from all pairs. */
function choosePairs(rng: Rng, split: Split, index: number, count: number, seen: readonly Pair[], heldOut: readonly Pair[]): Pair[] {
  if (split === 'train') return shuffled(rng, seen).slice(0, count);
  const first = heldOut[index % heldOut.length] as Pair;
  const rest = shuffled(rng, ALL_PAIRS.filter((p) => p !== first)).slice(0, count - 1);
  return shuffled(rng, [first, ...rest]);
}

function makeScene(seed: number, split: Split, index: number, size: number, seen: readonly Pair[], heldOut: readonly Pair[], idWidth: number): ShapeScene {
  const rng = mulberry32(deriveSeed(seed, SPLITS.indexOf(split), index));
  const count = objectCount(rng);
  const arrangement: Arrangement = count === 1 ? 'single' : pick(rng, ['row', 'column'] as const);
  const pairs = choosePairs(rng, split, index, count, seen, heldOut);
  const boxes = layoutBoxes(rng, count, arrangement, size);
  const objects = pairs.map((p, i): ShapeObject => {
    const [colour, shape] = p.split(' ') as [Colour, ShapeKind];
    return { colour, shape, box: boxes[i] as ShapeObject['box'], rgb: jitterRgb(rng, COLOUR_RGB[colour], FILL_JITTER) };
  });
  const grey = randomInt(rng, 200, 240);
  const background = jitterRgb(rng, [grey, grey, grey], 6);
  return {
    id: `${split}-${String(index).padStart(idWidth, '0')}`,
    split,
    size,
    background,
    arrangement,
    objects,
    ...describe(arrangement, objects),
  };
}

/** All scenes, train then val then test, in index order. No rendering, no files. */
export function generateShapeScenes(options: ShapesOptions): ShapeScene[] {
  const size = options.size ?? 224;
  if (!Number.isInteger(size) || size < 112) throw new RangeError(`size must be an integer ≥ 112, got ${size}`);
  for (const split of SPLITS) {
    const n = options.counts[split];
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`${split} count must be an integer ≥ 0, got ${n}`);
  }
  const heldOut = [...(options.heldOut ?? DEFAULT_HELD_OUT)];
  for (const p of heldOut) if (!isPair(p)) throw new RangeError(`held-out pair ${JSON.stringify(p)} is not "<colour> <shape>"`);
  const held = heldOut as Pair[];
  const seen = ALL_PAIRS.filter((p) => !held.includes(p));
  if (seen.length < 3) throw new RangeError('too many held-out pairs: training needs at least 3 other pairs');
  if (held.length === 0 && (options.counts.val > 0 || options.counts.test > 0)) {
    throw new RangeError('val/test images need at least one held-out pair');
  }
  const idWidth = Math.max(4, String(Math.max(...SPLITS.map((s) => options.counts[s]))).length);
  return SPLITS.flatMap((split) =>
    Array.from({ length: options.counts[split] }, (_, i) => makeScene(options.seed, split, i, size, seen, held, idWidth)),
  );
}

export const imageFileName = (scene: Pick<ShapeScene, 'id'>): string => `images/${scene.id}.png`;

/** The dataset records of scenes whose images are (or will be) under `root`. */
export function shapesToCaptionedImages(scenes: readonly ShapeScene[], root: string): CaptionedImage[] {
  return scenes.map((s) => ({
    id: s.id,
    file: path.resolve(root, imageFileName(s)),
    captions: [s.caption],
    split: s.split,
    boxes: [s.boxes.map((b) => ({ ...b, box: { ...b.box } }))],
  }));
}
