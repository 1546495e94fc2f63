/**
 * Validation by real decoding (greedy, no teacher forcing): caption the validation images from their
 * features and score the captions against the references (BLEU-1..4, CIDEr-D, ROUGE-L, exact match),
 * with the mean entropy of α over the generated words (AttentionEntropy, nats; uniform is ln L), so a
 * run whose attention collapses to uniform shows it epoch by epoch.
 */
import * as tf from '../util/tf.js';
import type { CaptionedImage } from '../data/dataset.js';
import type { Vocabulary } from '../data/vocabulary.js';
import type { AttentionDecoder } from '../decoder/decoder.js';
import { greedyDecode } from '../search/greedy.js';
import { entropy } from '../eval/attention-stats.js';
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

interface GreedyCaptions {
  /** Image id → caption as words. */
  captions: Map<string, string[]>;
  /** Mean entropy of α (nats) over every generated word. */
  attentionEntropy: number;
}

/** Greedy captions (as word lists) of the given images, decoded in batches. */
async function greedyCaptions(
  decoder: AttentionDecoder,
  images: readonly CaptionedImage[],
  features: FeatureSource,
  vocab: Vocabulary,
  maxLength: number,
  batchSize = 64,
): Promise<GreedyCaptions> {
  const out = new Map<string, string[]>();
  let entropySum = 0;
  let words = 0;
  for (let i = 0; i < images.length; i += batchSize) {
    const chunk = images.slice(i, i + batchSize);
    const values = await features.read(chunk.map((im) => im.id));
    const batch = tf.tensor3d(values, [chunk.length, features.regions, features.depth]); // [B, L, D]
    try {
      const decoded = greedyDecode(decoder, batch, { maxLength });
      decoded.forEach((d, j) => {
        out.set(chunk[j]!.id, vocab.decode(d.tokens));
        for (const w of d.words) entropySum += entropy(w.alpha);
        words += d.words.length;
      });
    } finally {
      batch.dispose();
    }
  }
  return { captions: out, attentionEntropy: words ? entropySum / words : 0 };
}

export function makeValidator(o: ValidatorOptions): Validator {
  const refs = referencesOf(o.images);
  return async (decoder) => {
    const { captions, attentionEntropy } = await greedyCaptions(decoder, o.images, o.features, o.vocab, o.maxLength, o.batchSize);
    const scores = evaluateCaptions(refs, captions);
    const stats = captionStats(captions.values());
    return {
      ...Object.fromEntries([...scores].map(([name, s]) => [name, s.corpus])),
      MeanLength: stats.meanLength,
      BadEnding: stats.badEndingRate,
      AttentionEntropy: attentionEntropy,
    };
  };
}
