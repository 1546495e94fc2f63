/**
 * Teacher-forced explanations (src/search/explain.ts): the caption's log-likelihood is exactly minus
 * the training cross-entropy of the same caption (so it ranks captions as training scores them), each
 * word's α is the attention of the step that predicts it (a distribution over L), captions of different
 * lengths in one batch explain as they do alone, and unknown words are reported, not hidden.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { PAD_ID, Vocabulary } from '../src/data/vocabulary.js';
import { createDecoder, type AttentionDecoder } from '../src/decoder/decoder.js';
import { explainCaptions } from '../src/search/explain.js';

const CAPTIONS = ['a red circle above a blue square', 'a green triangle', 'a blue circle left of a red triangle'];
const L = 9;
const D = 6;

describe('explain: teacher-forced decoding of given captions', () => {
  let decoder: AttentionDecoder;
  let vocab: Vocabulary;
  let features: tf.Tensor3D;
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
    vocab = Vocabulary.build(CAPTIONS, { minCount: 1 });
    decoder = createDecoder({ featureDim: D, embedDim: 8, hiddenDim: 12, attentionDim: 7, vocabSize: vocab.size, seed: 3 });
    features = tf.randomNormal([CAPTIONS.length, L, D], 0, 1, 'float32', 7) as tf.Tensor3D; // [B, L, D]
  });

  it('log-likelihood = −(the training cross-entropy of the caption), for every caption of a ragged batch', () => {
    const out = explainCaptions(decoder, vocab, features, CAPTIONS);
    const ids = CAPTIONS.map((c) => vocab.encode(c, 99));
    const T1 = Math.max(...ids.map((s) => s.length));
    const tokens = tf.tensor2d(
      ids.map((s) => [...s, ...Array<number>(T1 - s.length).fill(PAD_ID)]),
      [ids.length, T1],
      'int32',
    ); // [B, T + 1]
    const mask = tf.tensor2d(
      ids.map((s) => Array.from({ length: T1 }, (_, t) => (t < s.length ? 1 : 0))),
      [ids.length, T1],
    ); // [B, T + 1]
    const ce = decoder.sequenceCrossEntropy(features, tokens, mask).arraySync();
    tf.dispose([tokens, mask]);
    out.forEach((e, b) => {
      expect(e.logLikelihood).toBeCloseTo(-ce[b]!, 4);
      expect(e.words.map((w) => w.word)).toEqual(CAPTIONS[b]!.split(' '));
      for (const w of e.words) {
        expect(w.alpha).toHaveLength(L);
        expect(w.alpha.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 5);
        expect(w.beta).toBeGreaterThan(0);
        expect(w.beta).toBeLessThan(1);
        expect(w.logProb).toBeLessThan(0);
      }
    });
  });

  it('a caption explained alone or in a batch gives the same numbers', () => {
    const batch = explainCaptions(decoder, vocab, features, CAPTIONS);
    CAPTIONS.forEach((c, b) => {
      const row = tf.slice(features, [b, 0, 0], [1, L, D]) as tf.Tensor3D;
      const [alone] = explainCaptions(decoder, vocab, row, [c]);
      row.dispose();
      expect(alone!.logLikelihood).toBeCloseTo(batch[b]!.logLikelihood, 4);
      alone!.words.forEach((w, t) => expect(w.alpha[0]).toBeCloseTo(batch[b]!.words[t]!.alpha[0]!, 5));
    });
  });

  it('the word at step t is scored with the attention of step t (its prefix only)', () => {
    // Changing a later word changes nothing about earlier words.
    const [a, b] = explainCaptions(decoder, vocab, tf.concat([features.slice(0, 1), features.slice(0, 1)]) as tf.Tensor3D, [
      'a red circle',
      'a red square',
    ]);
    expect(a!.words[1]!.alpha).toEqual(b!.words[1]!.alpha);
    expect(a!.words[1]!.logProb).toBe(b!.words[1]!.logProb);
    expect(a!.words[2]!.logProb).not.toBe(b!.words[2]!.logProb);
  });

  it('out-of-vocabulary words are marked and listed; a caption without words is refused', () => {
    const [e] = explainCaptions(decoder, vocab, features.slice(0, 1) as tf.Tensor3D, ['a purple giraffe near a purple circle']);
    expect(e!.outOfVocabulary).toEqual(['purple', 'giraffe', 'near']);
    expect(e!.words.filter((w) => w.unknown).map((w) => w.word)).toEqual(['purple', 'giraffe', 'near', 'purple']);
    expect(() => explainCaptions(decoder, vocab, features.slice(0, 1) as tf.Tensor3D, ['  ,. '])).toThrow(/caption 1 has no words/);
  });
});
