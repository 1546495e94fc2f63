/**
 * The decoder as a whole: config validation, seeded init, weights by name, teacher-forced forward vs
 * the step API, the loss's masking, training under optimizer.minimize, dropout, and tensor leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import {
  createDecoder,
  DecoderConfigError,
  parameterSpecs,
  resolveDecoderConfig,
  SCORING_KINDS,
  WeightsError,
  type AttentionDecoder,
  type DecoderConfigInput,
} from '../src/decoder/index.js';

beforeAll(async () => {
  await selectBackend();
});

const TINY: DecoderConfigInput = { vocabSize: 11, featureDim: 6, embedDim: 5, hiddenDim: 7, attentionDim: 4, seed: 3 };
const B = 3;
const L = 5;
const TOKENS = [
  [1, 4, 5, 6, 2, 0],
  [1, 7, 2, 0, 0, 0],
  [1, 8, 9, 10, 4, 2],
];
const MASK = TOKENS.map((r) => r.map((t) => (t === 0 ? 0 : 1)));

const decoders: AttentionDecoder[] = [];
function make(extra: Partial<DecoderConfigInput> = {}): AttentionDecoder {
  const d = createDecoder({ ...TINY, ...extra });
  decoders.push(d);
  return d;
}
afterAll(() => decoders.forEach((d) => d.dispose()));

let features: tf.Tensor3D;
let tokens: tf.Tensor2D;
let mask: tf.Tensor2D;
beforeAll(() => {
  features = tf.randomUniform([B, L, 6], 0, 2, 'float32', 17) as tf.Tensor3D;
  tokens = tf.tensor2d(TOKENS, undefined, 'int32');
  mask = tf.tensor2d(MASK);
});

const lossValue = (d: AttentionDecoder, opts = {}): number =>
  tf.tidy(() => d.computeLoss(features, tokens, mask, opts).loss.dataSync()[0]!);

describe('config', () => {
  it('fills the paper defaults', () => {
    // The paper's sizes and regularisation, written out (not compared with the constant they come from).
    expect(resolveDecoderConfig({ vocabSize: 100 })).toEqual({
      vocabSize: 100,
      featureDim: 512,
      embedDim: 512,
      hiddenDim: 512,
      attentionDim: 512,
      scoring: 'additive',
      dropout: 0.5,
      hiddenDropout: 0,
      doublyStochasticLambda: 1,
      seed: undefined,
    });
    // Given fields win over defaults, one at a time.
    expect(resolveDecoderConfig({ vocabSize: 9, hiddenDim: 7, dropout: 0.1 })).toMatchObject({
      vocabSize: 9,
      hiddenDim: 7,
      dropout: 0.1,
      embedDim: 512,
    });
  });

  it.each([
    [{ vocabSize: 4 }, /vocabSize must exceed/],
    [{ vocabSize: 10.5 }, /vocabSize must be a positive integer/],
    [{ vocabSize: 10, hiddenDim: 0 }, /hiddenDim/],
    [{ vocabSize: 10, scoring: 'concat' }, /scoring must be one of additive, dot, general/],
    [{ vocabSize: 10, dropout: 1 }, /dropout must be a number in \[0, 1\)/],
    [{ vocabSize: 10, hiddenDropout: -0.1 }, /hiddenDropout/],
    [{ vocabSize: 10, doublyStochasticLambda: -1 }, /doublyStochasticLambda/],
    [{ vocabSize: 10, seed: 1.5 }, /seed must be an integer/],
    [{ vocabSize: 10, hidenDim: 3 }, /unknown field\(s\) hidenDim/],
  ])('rejects %j', (input, message) => {
    expect(() => resolveDecoderConfig(input as DecoderConfigInput)).toThrow(DecoderConfigError);
    expect(() => resolveDecoderConfig(input as DecoderConfigInput)).toThrow(message);
  });
});

describe('initialisation and weights', () => {
  it('same seed → identical weights and loss; another seed → different', () => {
    const a = make();
    const b = make();
    const c = make({ seed: 4 });
    for (const [name, t] of a.getWeights()) {
      expect(Array.from(t.dataSync())).toEqual(Array.from(b.getWeights().get(name)!.dataSync()));
    }
    expect(lossValue(a)).toBe(lossValue(b));
    expect(Array.from(c.getWeights().get('lstm/kernel')!.dataSync())).not.toEqual(
      Array.from(a.getWeights().get('lstm/kernel')!.dataSync()),
    );
    expect(lossValue(c)).not.toBe(lossValue(a));
  });

  it('names and shapes follow the parameter table for every scoring kind', () => {
    for (const scoring of SCORING_KINDS) {
      const d = make({ scoring });
      const specs = parameterSpecs(d.config);
      expect([...d.getWeights().keys()].sort()).toEqual(specs.map((s) => s.name).sort());
      for (const s of specs) expect(d.getWeights().get(s.name)!.shape).toEqual(s.shape);
    }
  });

  it('recurrent weights are orthogonal per gate; forget bias 1, other biases 0', () => {
    const d = make();
    const { embedDim: E, featureDim: D, hiddenDim: H } = d.config;
    const k = d.getWeights().get('lstm/kernel')!.arraySync() as number[][];
    for (let g = 0; g < 4; g++) {
      for (let i = 0; i < H; i++) {
        for (let j = 0; j < H; j++) {
          let dot = 0;
          for (let c = 0; c < H; c++) dot += k[E + D + i]![g * H + c]! * k[E + D + j]![g * H + c]!;
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 5);
        }
      }
    }
    const bias = Array.from(d.getWeights().get('lstm/bias')!.dataSync());
    expect(bias).toEqual([...new Array(H).fill(0), ...new Array(H).fill(1), ...new Array(2 * H).fill(0)]);
  });

  it('weights round-trip by name (as a checkpoint would) and give the same loss', async () => {
    const a = make({ seed: 8 });
    const { data, specs } = await tf.io.encodeWeights([...a.getWeights()].map(([name, tensor]) => ({ name, tensor })));
    const loaded = tf.io.decodeWeights(data, specs);
    const b = make({ seed: 9 });
    expect(lossValue(b)).not.toBe(lossValue(a));
    b.setWeights(new Map(Object.entries(loaded)));
    expect(lossValue(b)).toBe(lossValue(a));
    const c = make({ seed: 10 });
    c.dispose();
    const fromCkpt = createDecoder({ ...TINY, seed: 10 }, { weights: new Map(Object.entries(loaded)) });
    decoders.push(fromCkpt);
    expect(lossValue(fromCkpt)).toBe(lossValue(a));
    tf.dispose(Object.values(loaded));
  });

  it('setWeights rejects missing, unexpected and misshapen weights, naming them', () => {
    const d = make();
    const w = new Map(d.getWeights());
    w.delete('gate/W_beta');
    expect(() => d.setWeights(w)).toThrow(/missing gate\/W_beta/);
    const extra = new Map(d.getWeights());
    const t = tf.zeros([2]);
    extra.set('attention/W_q', t);
    expect(() => d.setWeights(extra)).toThrow(/unexpected attention\/W_q/);
    const bad = new Map(d.getWeights());
    bad.set('output/b_o', t);
    expect(() => d.setWeights(bad)).toThrow(WeightsError);
    expect(() => d.setWeights(bad)).toThrow(/"output\/b_o" has shape \[2\], expected \[11\]/);
    t.dispose();
  });
});

describe('forward and the step API', () => {
  for (const scoring of SCORING_KINDS) {
    it(`${scoring}: step-by-step decoding reproduces the teacher-forced forward`, () => {
      const d = make({ scoring });
      const inputs = tf.slice(tokens, [0, 0], [B, 5]) as tf.Tensor2D;
      const fwd = d.forward(features, inputs);
      expect(fwd.logits.shape).toEqual([B, 5, 11]);
      expect(fwd.alphas.shape).toEqual([B, 5, L]);
      expect(fwd.betas.shape).toEqual([B, 5]);
      const logProbs = tf.logSoftmax(fwd.logits).arraySync() as number[][][];
      const alphas = fwd.alphas.arraySync();
      const betas = fwd.betas.arraySync();
      let state = d.initState(features);
      for (let t = 0; t < 5; t++) {
        const out = d.step(
          state,
          TOKENS.map((r) => r[t]!),
        );
        d.disposeState(state);
        state = out.state;
        const lp = out.logProbs.arraySync();
        const al = out.alpha.arraySync();
        const be = out.beta.arraySync();
        for (let b = 0; b < B; b++) {
          lp[b]!.forEach((v, i) => expect(v).toBeCloseTo(logProbs[b]![t]![i]!, 4));
          al[b]!.forEach((v, i) => expect(v).toBeCloseTo(alphas[b]![t]![i]!, 5));
          expect(be[b]).toBeCloseTo(betas[b]![t]!, 5);
          expect(alphas[b]![t]!.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
        }
        tf.dispose([out.logProbs, out.alpha, out.beta]);
      }
      d.disposeState(state);
      tf.dispose([inputs, fwd.logits, fwd.alphas, fwd.betas, tf.logSoftmax(fwd.logits)]);
    });
  }

  for (const scoring of SCORING_KINDS) {
    it(`${scoring}: k hypotheses per image sharing its memory step exactly like rows with their own copy`, () => {
      const d = make({ scoring });
      const regionMask = tf.tensor2d([
        [1, 1, 0, 1, 1],
        [1, 1, 1, 1, 1],
        [0, 1, 1, 1, 1],
      ]);
      const s0 = d.initState(features, regionMask);
      // Grouped: row g·2 + j decodes image g (memory shared). Ungrouped: row j·3 + g, memory gathered per row.
      const grouped = d.selectRows(s0, [0, 0, 1, 1, 2, 2]);
      const perRow = d.selectRows(s0, [0, 1, 2, 0, 1, 2]);
      const toPerRow = (i: number) => (i % 2) * 3 + Math.floor(i / 2); // grouped row → ungrouped row
      const compare = (a: ReturnType<typeof d.step>, b: ReturnType<typeof d.step>) => {
        const [la, lb] = [a.logProbs.arraySync(), b.logProbs.arraySync()];
        const [aa, ab] = [a.alpha.arraySync(), b.alpha.arraySync()];
        const [ba, bb] = [a.beta.arraySync(), b.beta.arraySync()];
        for (let i = 0; i < 6; i++) {
          la[i]!.forEach((v, j) => expect(v).toBeCloseTo(lb[toPerRow(i)]![j]!, 5));
          aa[i]!.forEach((v, j) => expect(v).toBeCloseTo(ab[toPerRow(i)]![j]!, 6));
          expect(ba[i]).toBeCloseTo(bb[toPerRow(i)]!, 6);
        }
        expect(aa[4]![0]).toBe(0); // image 2's masked region
      };
      const tokensA = [4, 5, 6, 7, 8, 9];
      const tokensB = [0, 1, 2, 3, 4, 5].map((r) => tokensA[[0, 2, 4, 1, 3, 5][r]!]!);
      const a1 = d.step(grouped, tokensA);
      const b1 = d.step(perRow, tokensB);
      compare(a1, b1);
      // Reorder within images (swap the two hypotheses of images 0 and 2), then step again.
      const a2s = d.selectRows(a1.state, [1, 0, 2, 3, 5, 4]);
      const b2s = d.selectRows(b1.state, [3, 1, 5, 0, 4, 2]);
      const a2 = d.step(a2s, [5, 6, 7, 8, 9, 10]);
      const b2 = d.step(
        b2s,
        [0, 1, 2, 3, 4, 5].map((r) => [5, 6, 7, 8, 9, 10][[0, 2, 4, 1, 3, 5][r]!]!),
      );
      compare(a2, b2);
      [s0, grouped, perRow, a1.state, b1.state, a2s, b2s, a2.state, b2.state].forEach((s) => d.disposeState(s));
      tf.dispose([
        regionMask,
        a1.logProbs,
        a1.alpha,
        a1.beta,
        b1.logProbs,
        b1.alpha,
        b1.beta,
        a2.logProbs,
        a2.alpha,
        a2.beta,
        b2.logProbs,
        b2.alpha,
        b2.beta,
      ]);
    });
  }

  for (const scoring of SCORING_KINDS) {
    it(`${scoring}: rows kept in equal blocks for some images (beam search dropping finished images) cut the memory to those images and step as the same rows of the whole state`, () => {
      const d = make({ scoring });
      const regionMask = tf.tensor2d([
        [1, 1, 0, 1, 1],
        [1, 1, 1, 1, 1],
        [0, 1, 1, 1, 1],
      ]);
      const s0 = d.initState(features, regionMask);
      const grouped = d.selectRows(s0, [0, 0, 1, 1, 2, 2]); // row g·2 + j decodes image g
      const tokens6 = [4, 5, 6, 7, 8, 9];
      const whole = d.step(grouped, tokens6);
      const tokenOf = (r: number) => 3 + r; // each row continues with a token of its own
      const full = d.step(whole.state, [0, 1, 2, 3, 4, 5].map(tokenOf));
      const [lf, af] = [full.logProbs.arraySync(), full.alpha.arraySync()];
      for (const [rows, images] of [
        [[5, 4, 1, 0], 2],
        [[2, 3], 1],
        [[4, 4, 4, 0, 1, 0], 2],
      ] as const) {
        const cut = d.selectRows(whole.state, rows);
        expect(cut.shared.memory.features.shape[0]).toBe(images); // one memory entry per kept image, not per row
        const a = d.step(cut, rows.map(tokenOf));
        const [la, aa] = [a.logProbs.arraySync(), a.alpha.arraySync()];
        rows.forEach((r, i) => {
          la[i]!.forEach((v, j) => expect(v).toBeCloseTo(lf[r]![j]!, 5));
          aa[i]!.forEach((v, j) => expect(v).toBeCloseTo(af[r]![j]!, 6));
        });
        [cut, a.state].forEach((st) => d.disposeState(st));
        tf.dispose([a.logProbs, a.alpha, a.beta]);
      }
      d.disposeState(full.state);
      tf.dispose([full.logProbs, full.alpha, full.beta]);
      [s0, grouped, whole.state].forEach((st) => d.disposeState(st));
      tf.dispose([regionMask, whole.logProbs, whole.alpha, whole.beta]);
    });
  }

  it('a region mask zeroes those regions at every step', () => {
    const d = make();
    const regionMask = tf.tensor2d([
      [1, 1, 0, 1, 1],
      [0, 1, 1, 1, 1],
      [1, 1, 1, 1, 0],
    ]);
    const inputs = tf.slice(tokens, [0, 0], [B, 5]) as tf.Tensor2D;
    const fwd = d.forward(features, inputs, { regionMask });
    const alphas = fwd.alphas.arraySync();
    for (let t = 0; t < 5; t++) {
      expect(alphas[0]![t]![2]).toBe(0);
      expect(alphas[1]![t]![0]).toBe(0);
      expect(alphas[2]![t]![4]).toBe(0);
    }
    tf.dispose([regionMask, inputs, fwd.logits, fwd.alphas, fwd.betas]);
  });

  it('rejects inputs of the wrong shape or type', () => {
    const d = make();
    const floatTokens = tf.tensor2d(TOKENS);
    const wrongFeatures = tf.zeros([B, L, 4]) as tf.Tensor3D;
    const badMask = tf.ones([B, 3]) as tf.Tensor2D;
    expect(() => d.computeLoss(features, floatTokens, mask)).toThrow(/int32/);
    expect(() => d.computeLoss(wrongFeatures, tokens, mask)).toThrow(/features must be \[B, L, 6\]/);
    expect(() => d.computeLoss(features, tokens, badMask)).toThrow(/mask must be \[3, 6\]/);
    tf.dispose([floatTokens, wrongFeatures, badMask]);
  });
});

describe('loss', () => {
  it('penalty and cross-entropy ignore padded steps; mask may be token- or target-aligned', () => {
    const d = make({ doublyStochasticLambda: 0.7 });
    const parts = tf.tidy(() => {
      const r = d.computeLoss(features, tokens, mask);
      return [r.loss, r.crossEntropy, r.attentionPenalty, r.captionCrossEntropy].map((t) => t.dataSync()[0]!);
    });
    const [loss, ce, pen, captionCe] = parts as [number, number, number, number];
    expect(loss).toBeCloseTo(captionCe + pen, 5);

    // Recompute both parts from the forward pass, using only real target positions.
    const inputs = tf.slice(tokens, [0, 0], [B, 5]) as tf.Tensor2D;
    const fwd = d.forward(features, inputs);
    const lp = tf.logSoftmax(fwd.logits);
    const logProbs = lp.arraySync() as number[][][];
    const alphas = fwd.alphas.arraySync();
    let ceSum = 0;
    let count = 0;
    let penSum = 0;
    for (let b = 0; b < B; b++) {
      const attended = new Array<number>(L).fill(0);
      for (let t = 0; t < 5; t++) {
        if (!MASK[b]![t + 1]) continue;
        ceSum -= logProbs[b]![t]![TOKENS[b]![t + 1]!]!;
        count++;
        alphas[b]![t]!.forEach((a, i) => (attended[i]! += a));
      }
      penSum += attended.reduce((s, a) => s + (1 - a) ** 2, 0);
    }
    expect(ce).toBeCloseTo(ceSum / count, 5);
    expect(captionCe).toBeCloseTo(ceSum / B, 5); // −log P(caption), mean over captions (the paper's eq. 14)
    expect(pen).toBeCloseTo((0.7 * penSum) / B, 5);

    const targetMask = tf.slice(mask, [0, 1], [B, 5]) as tf.Tensor2D;
    expect(tf.tidy(() => d.computeLoss(features, tokens, targetMask).loss.dataSync()[0])).toBeCloseTo(loss, 6);
    tf.dispose([inputs, fwd.logits, fwd.alphas, fwd.betas, lp, targetMask]);
  });

  it('dropout: on only when training; a dropout seed makes it repeatable', () => {
    const d = make({ dropout: 0.5, hiddenDropout: 0.3 });
    const plain = lossValue(d);
    expect(lossValue(d, { training: false })).toBe(plain);
    const seeded = lossValue(d, { training: true, dropoutSeed: 42 });
    expect(seeded).not.toBe(plain);
    expect(lossValue(d, { training: true, dropoutSeed: 42 })).toBe(seeded);
    expect(lossValue(d, { training: true, dropoutSeed: 43 })).not.toBe(seeded);
  });

  it('works inside optimizer.minimize and tf.variableGrads (parts kept for logging); the loss falls', () => {
    const d = make({ dropout: 0.2 });
    const opt = tf.train.adam(0.02);
    const first = lossValue(d);
    for (let i = 0; i < 25; i++) {
      const cost = opt.minimize(() => d.computeLoss(features, tokens, mask, { training: true }).loss, true, d.trainableVariables());
      expect(Number.isFinite(cost!.dataSync()[0])).toBe(true);
      cost!.dispose();
    }
    expect(lossValue(d)).toBeLessThan(first - 0.5);

    let ce: tf.Scalar | undefined;
    let pen: tf.Scalar | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const r = d.computeLoss(features, tokens, mask, { training: true });
      ce = tf.keep(r.captionCrossEntropy);
      pen = tf.keep(r.attentionPenalty);
      return r.loss;
    }, d.trainableVariables());
    expect(Object.keys(grads)).toHaveLength(d.trainableVariables().length);
    expect(value.dataSync()[0]).toBeCloseTo(ce!.dataSync()[0]! + pen!.dataSync()[0]!, 5);
    tf.dispose([value, ...Object.values(grads), ce!, pen!]);
    opt.dispose();
  });
});

describe('no tensor leaks', () => {
  it('per forward, loss, gradient, optimizer and step call', () => {
    const d = make();
    const opt = tf.train.adam(0.01);
    const vars = d.trainableVariables();
    const inputs = tf.slice(tokens, [0, 0], [B, 5]) as tf.Tensor2D;
    const regionMask = tf.ones([B, L]) as tf.Tensor2D;
    const once = () => {
      const f = d.forward(features, inputs, { training: true });
      tf.dispose([f.logits, f.alphas, f.betas]);
      const l = d.computeLoss(features, tokens, mask);
      tf.dispose([l.loss, l.crossEntropy, l.captionCrossEntropy, l.attentionPenalty]);
      const g = tf.variableGrads(() => d.computeLoss(features, tokens, mask, { training: true }).loss, vars);
      tf.dispose([g.value, ...Object.values(g.grads)]);
      opt.minimize(() => d.computeLoss(features, tokens, mask, { training: true }).loss, true, vars)?.dispose();
      const s0 = d.initState(features, regionMask);
      const s1 = d.selectRows(s0, [0, 0, 1, 2]);
      const out = d.step(s1, [1, 1, 1, 1]);
      const s2 = d.selectRows(out.state, [1, 0, 2, 3]);
      [s0, s1, out.state, s2].forEach((s) => d.disposeState(s));
      tf.dispose([out.logProbs, out.alpha, out.beta]);
    };
    once(); // the optimizer creates its slot variables on the first call
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) once();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([inputs, regionMask]);
    opt.dispose();
  });
});
