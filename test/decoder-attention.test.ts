/** Attention math (scores, masked softmax, β gate, context) against values worked out by hand. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import {
  attend,
  attentionScores,
  attentionWeights,
  contextVector,
  gatingScalar,
  maskedSoftmax,
  prepareMemory,
} from '../src/decoder/attention.js';
import { createDecoder, type AttentionDecoder, type AttentionScoring } from '../src/decoder/index.js';

beforeAll(async () => {
  await selectBackend();
});

// B = 2 images, L = 3 regions, D = 2, H = 2, A = 2.
const FEATURES = [
  [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
  [
    [2, 0],
    [0, 0],
    [0, 3],
  ],
];
const H_PREV = [
  [1, 2],
  [-1, 0.5],
];
// Hand-set weights (row-major [in, out]).
const HAND: Record<string, number[][] | number[]> = {
  'attention/W_a': [
    [1, 0],
    [0, 1],
  ],
  'attention/U_a': [
    [0.5, 0],
    [0, -0.5],
  ],
  'attention/b': [0.1, -0.1],
  'attention/w': [1, 2],
  'attention/W_q': [
    [1, 2],
    [0, 1],
  ],
  'attention/W_k': [
    [1, 0],
    [1, 1],
  ],
  'gate/W_beta': [[0.5], [-0.25]],
  'gate/b_beta': [0.1],
};

const decoders: AttentionDecoder[] = [];
function handDecoder(scoring: AttentionScoring): AttentionDecoder {
  const dec = createDecoder({ vocabSize: 6, featureDim: 2, embedDim: 2, hiddenDim: 2, attentionDim: 2, scoring, seed: 1 });
  const w = new Map(dec.getWeights());
  const made: tf.Tensor[] = [];
  for (const name of w.keys()) {
    const v = HAND[name];
    if (v) {
      const t = tf.tensor(v);
      made.push(t);
      w.set(name, t);
    }
  }
  dec.setWeights(w);
  tf.dispose(made);
  decoders.push(dec);
  return dec;
}
afterAll(() => decoders.forEach((d) => d.dispose()));

/** Scores computed by hand (written out per image, region) for the weights above. */
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
function expectedScores(scoring: AttentionScoring): number[][] {
  if (scoring === 'additive') {
    // q = h U_a;  k_i = a_i W_a + b;  e_i = w · tanh(k_i + q)
    // image 0: q = [0.5, −1];  k = [1.1, −0.1], [0.1, 0.9], [1.1, 0.9]
    // image 1: q = [−0.5, −0.25];  k = [2.1, −0.1], [0.1, −0.1], [0.1, 2.9]
    const e = (x: number, y: number) => Math.tanh(x) + 2 * Math.tanh(y);
    return [
      [e(1.6, -1.1), e(0.6, -0.1), e(1.6, -0.1)],
      [e(1.6, -0.35), e(-0.4, -0.35), e(-0.4, 2.65)],
    ];
  }
  if (scoring === 'dot') {
    // q = h W_q: image 0 [1, 4], image 1 [−1, −1.5];  e_i = a_i · q
    return [
      [1, 4, 5],
      [-2, 0, -4.5],
    ];
  }
  // general: k_i = a_i W_k, e_i = k_i · h.  image 0: k = [1,0],[1,1],[2,1];  image 1: k = [2,0],[0,0],[3,3]
  return [
    [1, 3, 4],
    [-2, 0, -1.5],
  ];
}

const softmax = (e: number[]) => {
  const m = Math.max(...e);
  const x = e.map((v) => Math.exp(v - m));
  const s = x.reduce((a, b) => a + b, 0);
  return x.map((v) => v / s);
};

describe('attention scores match hand computation', () => {
  for (const scoring of ['additive', 'dot', 'general'] as const) {
    it(scoring, () => {
      const dec = handDecoder(scoring);
      const got = tf.tidy(() => {
        const memory = prepareMemory(dec.params, scoring, tf.tensor3d(FEATURES));
        return attentionScores(memory, tf.tensor2d(H_PREV), attentionWeights(dec.params, scoring)).arraySync();
      });
      const want = expectedScores(scoring);
      got.forEach((row, b) => row.forEach((v, i) => expect(v).toBeCloseTo(want[b]![i]!, 5)));
    });
  }
});

describe('softmax, mask, gate and context', () => {
  it('α is the softmax of the scores and sums to 1', () => {
    const dec = handDecoder('dot');
    const alpha = tf.tidy(() => {
      const memory = prepareMemory(dec.params, 'dot', tf.tensor3d(FEATURES));
      return attend(memory, tf.tensor2d(H_PREV), attentionWeights(dec.params, 'dot')).alpha.arraySync();
    });
    const want = expectedScores('dot').map(softmax);
    alpha.forEach((row, b) => {
      row.forEach((v, i) => expect(v).toBeCloseTo(want[b]![i]!, 6));
      expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 6);
    });
  });

  it('masked regions get exactly 0 weight; the rest renormalise', () => {
    const scores = [
      [1, 4, 5],
      [-2, 0, -4.5],
    ];
    const mask = [
      [1, 1, 0],
      [0, 1, 1],
    ];
    const alpha = tf.tidy(() => {
      const bias = tf.mul(tf.sub(1, tf.tensor2d(mask)), -1e9) as tf.Tensor2D;
      return maskedSoftmax(tf.tensor2d(scores), bias).arraySync();
    });
    expect(alpha[0]![2]).toBe(0);
    expect(alpha[1]![0]).toBe(0);
    const w0 = softmax([1, 4]);
    const w1 = softmax([0, -4.5]);
    expect(alpha[0]![0]).toBeCloseTo(w0[0]!, 6);
    expect(alpha[0]![1]).toBeCloseTo(w0[1]!, 6);
    expect(alpha[1]![1]).toBeCloseTo(w1[0]!, 6);
    expect(alpha[1]![2]).toBeCloseTo(w1[1]!, 6);
  });

  it('a region mask given to prepareMemory zeroes those regions in attend', () => {
    const dec = handDecoder('additive');
    const alpha = tf.tidy(() => {
      const memory = prepareMemory(
        dec.params,
        'additive',
        tf.tensor3d(FEATURES),
        tf.tensor2d([
          [1, 0, 1],
          [1, 1, 0],
        ]),
      );
      return attend(memory, tf.tensor2d(H_PREV), attentionWeights(dec.params, 'additive')).alpha.arraySync();
    });
    const e = expectedScores('additive');
    expect(alpha[0]![1]).toBe(0);
    expect(alpha[1]![2]).toBe(0);
    const w0 = softmax([e[0]![0]!, e[0]![2]!]);
    expect(alpha[0]![0]).toBeCloseTo(w0[0]!, 6);
    expect(alpha[0]![2]).toBeCloseTo(w0[1]!, 6);
  });

  it('rejects a mask that hides every region of an image', () => {
    const dec = handDecoder('dot');
    expect(() =>
      tf.tidy(() => {
        prepareMemory(
          dec.params,
          'dot',
          tf.tensor3d(FEATURES),
          tf.tensor2d([
            [1, 0, 0],
            [0, 0, 0],
          ]),
        );
      }),
    ).toThrow(/at least one visible/);
  });

  it('β = σ(W_β h + b_β) lies in (0, 1)', () => {
    const dec = handDecoder('dot');
    const beta = tf.tidy(() => gatingScalar(tf.tensor2d(H_PREV), attentionWeights(dec.params, 'dot')).arraySync());
    // image 0: 0.5·1 − 0.25·2 + 0.1 = 0.1;  image 1: −0.5 − 0.125 + 0.1 = −0.525
    expect(beta[0]![0]).toBeCloseTo(sigmoid(0.1), 6);
    expect(beta[1]![0]).toBeCloseTo(sigmoid(-0.525), 6);
    const many = tf.tidy(() =>
      gatingScalar(tf.mul(tf.randomNormal([64, 2], 0, 1, 'float32', 5), 10) as tf.Tensor2D, attentionWeights(dec.params, 'dot')).dataSync(),
    );
    for (const b of many) expect(b > 0 && b < 1).toBe(true);
  });

  it('context z = β Σ_i α_i a_i', () => {
    const alpha = [
      [0.2, 0.3, 0.5],
      [0.6, 0.4, 0],
    ];
    const beta = [[0.5], [0.25]];
    const z = tf.tidy(() => contextVector(tf.tensor2d(alpha), tf.tensor2d(beta), tf.tensor3d(FEATURES)).arraySync());
    // image 0: 0.5 · (0.2·[1,0] + 0.3·[0,1] + 0.5·[1,1]) = 0.5 · [0.7, 0.8]
    // image 1: 0.25 · (0.6·[2,0] + 0.4·[0,0]) = 0.25 · [1.2, 0]
    expect(z[0]![0]).toBeCloseTo(0.35, 6);
    expect(z[0]![1]).toBeCloseTo(0.4, 6);
    expect(z[1]![0]).toBeCloseTo(0.3, 6);
    expect(z[1]![1]).toBeCloseTo(0, 6);
  });

  it('on random inputs: Σα = 1, β ∈ (0,1), z = β Σ α a (all scorings)', () => {
    for (const scoring of ['additive', 'dot', 'general'] as const) {
      const dec = createDecoder({ vocabSize: 6, featureDim: 5, embedDim: 3, hiddenDim: 4, attentionDim: 3, scoring, seed: 2 });
      decoders.push(dec);
      const [feats, out] = tf.tidy(() => {
        const f = tf.randomUniform([3, 7, 5], 0, 2, 'float32', 9) as tf.Tensor3D;
        const memory = prepareMemory(dec.params, scoring, f);
        const s = attend(memory, tf.randomNormal([3, 4], 0, 1, 'float32', 4) as tf.Tensor2D, attentionWeights(dec.params, scoring));
        return [f.arraySync(), { alpha: s.alpha.arraySync(), beta: s.beta.arraySync(), z: s.context.arraySync() }] as const;
      });
      out.alpha.forEach((row, b) => {
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        const beta = out.beta[b]![0]!;
        expect(beta > 0 && beta < 1).toBe(true);
        for (let d = 0; d < 5; d++) {
          const want = beta * row.reduce((s, a, i) => s + a * feats[b]![i]![d]!, 0);
          expect(out.z[b]![d]).toBeCloseTo(want, 5);
        }
      });
    }
  });
});
