/**
 * The per-epoch validation scores greedy captions and reports the mean entropy of α over the words it
 * generated (AttentionEntropy), the number that shows a run's attention collapsing to uniform.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import type { CaptionedImage } from '../src/data/dataset.js';
import { Vocabulary } from '../src/data/vocabulary.js';
import { createDecoder } from '../src/decoder/decoder.js';
import { entropy } from '../src/eval/attention-stats.js';
import { greedyDecode } from '../src/search/greedy.js';
import type { FeatureSource } from '../src/train/batch-tensors.js';
import { makeValidator } from '../src/train/validate.js';
import { mulberry32 } from '../src/util/random.js';
import { inMemoryFeatures } from './tiny-training.js';

beforeAll(async () => {
  await selectBackend({ log: () => {} });
});

const L = 5,
  D = 6;
const images: CaptionedImage[] = Array.from({ length: 7 }, (_, i) => ({
  id: `im${i}`,
  file: `im${i}.png`,
  split: 'val',
  captions: [`a ${i % 2 ? 'red' : 'blue'} circle`],
}));
const vocab = Vocabulary.build(
  images.flatMap((im) => im.captions),
  { minCount: 1 },
);

/** Features per image; with `sameRegions` every region of an image holds the same vector. */
function source(sameRegions: boolean): FeatureSource {
  const rng = mulberry32(4);
  const vectors = new Map(
    images.map((im) => {
      const region = Float32Array.from({ length: D }, () => rng() * 2 - 1);
      return [im.id, Float32Array.from({ length: L * D }, (_, k) => (sameRegions ? region[k % D]! : rng() * 2 - 1))];
    }),
  );
  return inMemoryFeatures(vectors, L, D);
}

describe('validation', () => {
  it.each([1, 2, 5])('AttentionEntropy is the mean entropy of α over every greedy word (seed %i), in batches of 3', async (seed) => {
    const decoder = createDecoder({ vocabSize: vocab.size, featureDim: D, embedDim: 4, hiddenDim: 5, attentionDim: 3, seed });
    const features = source(false);
    const val = await makeValidator({ images, features, vocab, maxLength: 6, batchSize: 3 })(decoder);
    const all = tf.tensor3d(await features.read(images.map((im) => im.id)), [images.length, L, D]); // [B, L, D]
    const words = greedyDecode(decoder, all, { maxLength: 6 }).flatMap((c) => c.words);
    all.dispose();
    expect(words.length).toBeGreaterThan(0);
    const expected = words.reduce((s, w) => s + entropy(w.alpha), 0) / words.length;
    expect(val['AttentionEntropy']).toBeCloseTo(expected, 5);
    expect(val['AttentionEntropy']).toBeLessThan(Math.log(L) - 1e-4);
    expect(Object.keys(val)).toEqual(expect.arrayContaining(['BLEU-4', 'CIDEr-D', 'MeanLength', 'BadEnding']));
    decoder.dispose();
  });

  it('is ln L when every region of an image is the same vector (α must be uniform)', async () => {
    const decoder = createDecoder({ vocabSize: vocab.size, featureDim: D, embedDim: 4, hiddenDim: 5, attentionDim: 3, seed: 3 });
    const val = await makeValidator({ images, features: source(true), vocab, maxLength: 6 })(decoder);
    expect(val['AttentionEntropy']).toBeCloseTo(Math.log(L), 5);
    decoder.dispose();
  });
});
