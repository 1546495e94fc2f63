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

/** The batches of one epoch, in a seeded shuffled order (the last batch may be smaller). */
export function epochBatches(examples: readonly Example[], batchSize: number, seed: number, epoch: number): Example[][] {
  const order = shuffled(mulberry32(deriveSeed(seed, epoch)), examples);
  const batches: Example[][] = [];
  for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}
