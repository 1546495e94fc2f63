/**
 * Validation by real decoding (greedy, no teacher forcing): caption the validation images from their
 * features and score the captions against the references (BLEU-1..4, CIDEr-D, ROUGE-L, exact match).
 */
import * as tf from '@tensorflow/tfjs';
import type { CaptionedImage } from '../data/dataset.js';
import type { Vocabulary } from '../data/vocabulary.js';
import type { AttentionDecoder } from '../decoder/decoder.js';
import { greedyDecode } from '../search/greedy.js';
import { captionStats } from '../eval/caption-stats.js';
import { evaluateCaptions, referencesOf } from '../eval/evaluate.js';
import type { FeatureSource } from './batch-tensors.js';
import type { Validator } from './trainer.js';

export interface ValidatorOptions {
  images: readonly CaptionedImage[];
  features: FeatureSource;
  vocab: Vocabulary;
  maxLength: number;
  batchSize?: number;
}

/** Greedy captions (as word lists) of the given images, decoded in batches. */
export async function greedyCaptions(
  decoder: AttentionDecoder,
  images: readonly CaptionedImage[],
  features: FeatureSource,
  vocab: Vocabulary,
  maxLength: number,
  batchSize = 64,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < images.length; i += batchSize) {
    const chunk = images.slice(i, i + batchSize);
    const values = await features.read(chunk.map((im) => im.id));
    const batch = tf.tensor3d(values, [chunk.length, features.regions, features.depth]); // [B, L, D]
    try {
      const decoded = greedyDecode(decoder, batch, { maxLength });
      decoded.forEach((d, j) => out.set(chunk[j]!.id, vocab.decode(d.tokens)));
    } finally {
      batch.dispose();
    }
  }
  return out;
}

export function makeValidator(o: ValidatorOptions): Validator {
  const refs = referencesOf(o.images);
  return async (decoder) => {
    const cands = await greedyCaptions(decoder, o.images, o.features, o.vocab, o.maxLength, o.batchSize);
    const scores = evaluateCaptions(refs, cands);
    const stats = captionStats(cands.values());
    return { ...Object.fromEntries([...scores].map(([name, s]) => [name, s.corpus])), MeanLength: stats.meanLength, BadEnding: stats.badEndingRate };
  };
}
