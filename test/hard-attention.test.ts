/**
 * Hard attention (Xu et al. 2015 §4.1) on a tiny decoder whose every attention path can be
 * enumerated (L = 3 regions, T = 2 steps: 9 paths): the estimator's expected gradient — exactly, by
 * weighting each path's estimate by p(path), and by Monte Carlo with the real sampler — equals the
 * exact gradient of the variational bound L_s = Σ_s p(s | a) log p(y | s, a) (plus, with λ_e, the
 * entropy term's expectation), whatever the baseline. The sampler draws regions with probability α and
 * is seeded. The objective overfits a tiny set, holds its tensor count, and keeps its baseline.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { argmaxRegion, attend, attentionWeights, givenRegions, prepareMemory, sampleRegions } from '../src/decoder/attention.js';
import { checkpointFolder, saveCheckpoint } from '../src/checkpoint/checkpoint.js';
import { Vocabulary } from '../src/data/vocabulary.js';
import { CaptionModel } from '../src/model/caption-model.js';
import { createDecoder, type AttentionDecoder } from '../src/decoder/decoder.js';
import { tokenLosses } from '../src/decoder/loss.js';
import { greedyDecode } from '../src/search/greedy.js';
import { hardAttentionObjective } from '../src/train/hard-attention.js';
import type { StepContext } from '../src/train/objective.js';
import { createAdam } from '../src/train/adam.js';
import { deriveSeed, mulberry32 } from '../src/util/random.js';

beforeAll(async () => {
  await selectBackend({ log: () => {} });
});

const L = 3,
  D = 4,
  V = 7;
const tiny = (seed = 3): AttentionDecoder =>
  createDecoder({ vocabSize: V, featureDim: D, embedDim: 4, hiddenDim: 5, attentionDim: 3, seed, dropout: 0, doublyStochasticLambda: 0 });

/** One image and one caption <start> w5 <end>: T = 2 predicted tokens. */
function inputs() {
  const rng = mulberry32(9);
  const features = tf.tensor3d(
    Float32Array.from({ length: L * D }, () => rng() * 3 - 1),
    [1, L, D],
  ); // [1, L, D]
  const tokens = tf.tensor2d([[1, 5, 2]], [1, 3], 'int32'); // [1, T + 1]
  const mask = tf.ones([1, 3]) as tf.Tensor2D;
  return { features, tokens, mask };
}

const PATHS = [0, 1, 2].flatMap((a) => [0, 1, 2].map((b) => [a, b]));

type Grads = Map<string, Float32Array | Float64Array>;
const toGrads = (g: tf.NamedTensorMap): Grads => new Map(Object.entries(g).map(([k, v]) => [k, v.dataSync() as Float32Array]));
function addInto(acc: Grads, g: Grads, w: number): void {
  for (const [k, v] of g) {
    const a = acc.get(k) ?? new Float64Array(v.length);
    v.forEach((x, i) => (a[i]! += w * x));
    acc.set(k, a);
  }
}

/** Per path s: p(s | a) (a number), and the gradients of log p(y | s, a) · p(s) and of H(s) · p(s) (autodiff). */
function exactTerms(decoder: AttentionDecoder) {
  const { features, tokens, mask } = inputs();
  const vars = decoder.trainableVariables();
  const bound: Grads = new Map(); // ∇ Σ_s p(s) log p(y | s)
  const entropy: Grads = new Map(); // Σ_s p(s) ∇H(s)
  const probs: number[] = [];
  for (const path of PATHS) {
    const select = (t: number) => givenRegions([path[t]!]);
    const parts = () => {
      const { m, perToken, alphas, regions } = tokenLosses(decoder.params, decoder.config, features, tokens, mask, {
        selectRegions: select,
      });
      const logLik = tf.neg(tf.sum(tf.mul(perToken, m))); // []
      const logPath = tf.sum(tf.log(tf.sum(tf.mul(alphas, regions!), 2))); // []
      const h = tf.neg(tf.sum(tf.mul(alphas, tf.log(alphas)))); // []
      return { logLik, logPath, h };
    };
    const p = tf.tidy(() => Math.exp(parts().logPath.dataSync()[0]!));
    probs.push(p);
    const g1 = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const { logLik, logPath } = parts();
          return tf.mul(tf.exp(logPath), logLik) as tf.Scalar;
        }),
      vars,
    );
    addInto(bound, toGrads(g1.grads), 1);
    const g2 = tf.variableGrads(() => tf.tidy(() => parts().h as tf.Scalar), vars);
    addInto(entropy, toGrads(g2.grads), p);
    tf.dispose([g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads)]);
  }
  tf.dispose([features, tokens, mask]);
  return { bound, entropy, probs };
}

/** −∇ of the hard-attention loss (the estimate of ∇L_s) on the regions `select` picks, averaged over `copies` rows of the one image. */
function estimate(
  decoder: AttentionDecoder,
  select: (t: number) => ReturnType<typeof givenRegions>,
  baseline: number,
  entropyWeight: number,
  copies = 1,
  signalWeight = 1,
): Grads {
  const one = inputs();
  const [features, tokens, mask] = [
    tf.tile(one.features, [copies, 1, 1]),
    tf.tile(one.tokens, [copies, 1]),
    tf.tile(one.mask, [copies, 1]),
  ] as const; // [M, L, D], [M, T + 1] ×2
  const { value, grads } = tf.variableGrads(
    () => decoder.computeHardAttentionLoss(features, tokens, mask, { select, baseline, signalWeight, entropyWeight }).loss,
    decoder.trainableVariables(),
  );
  const out = toGrads(grads);
  for (const v of out.values()) v.forEach((x, i) => (v[i] = -x));
  tf.dispose([value, features, tokens, mask, one.features, one.tokens, one.mask, ...Object.values(grads)]);
  return out;
}

function maxAbsDiff(a: Grads, b: Grads): number {
  let m = 0;
  for (const [k, v] of a) v.forEach((x, i) => (m = Math.max(m, Math.abs(x - b.get(k)![i]!))));
  return m;
}

describe('hard attention', () => {
  it('the estimator, weighted by p(path) over all 9 paths, is the exact gradient of the bound, for any baseline (with λ_e: plus E[∇H])', () => {
    const decoder = tiny();
    const { bound, entropy, probs } = exactTerms(decoder);
    expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(Math.max(...probs) - Math.min(...probs)).toBeGreaterThan(0.01); // the paths are not all equally likely
    let scale = 0;
    for (const v of bound.values()) v.forEach((x) => (scale = Math.max(scale, Math.abs(x))));
    expect(scale).toBeGreaterThan(1e-3);
    for (const [baseline, entropyWeight] of [
      [0, 0],
      [-2.5, 0],
      [-1, 0.3],
    ] as const) {
      const expected: Grads = new Map();
      PATHS.forEach((path, i) =>
        addInto(
          expected,
          estimate(decoder, (t) => givenRegions([path[t]!]), baseline, entropyWeight),
          probs[i]!,
        ),
      );
      const target: Grads = new Map();
      addInto(target, bound, 1);
      addInto(target, entropy, entropyWeight);
      expect(maxAbsDiff(expected, target), `baseline ${baseline}, λ_e ${entropyWeight}`).toBeLessThan(2e-5 * Math.max(1, scale));
    }
    decoder.dispose();
  });

  it('with the real sampler, the mean estimate matches the exact gradient within Monte-Carlo error', async () => {
    const decoder = tiny(4);
    const { bound, probs } = exactTerms(decoder);
    // K minibatches of M rows of the one image, each row drawing its own path (as in training): the loss
    // averages its rows, so each minibatch's gradient is the mean of M independent estimates.
    const K = 100;
    const M = 25;
    const sum: Grads = new Map();
    const sumSq: Grads = new Map();
    for (let n = 0; n < K; n++) {
      if (n % 10 === 9) await new Promise((resolve) => setImmediate(resolve)); // let vitest's worker answer its main process
      const g = estimate(decoder, (t) => sampleRegions(deriveSeed(77, n, t)), -1.5, 0, M);
      addInto(sum, g, 1);
      addInto(sumSq, new Map([...g].map(([k, v]) => [k, v.map((x) => x * x)])), 1);
    }
    /** How many standard errors of the sample's mean `value` is from the exact gradient, per component. */
    const zOf = (k: string, i: number, value: number): number => {
      const mean = sum.get(k)![i]! / K;
      const sd = Math.sqrt(Math.max(((sumSq.get(k)![i]! / K - mean * mean) * K) / (K - 1), 0)); // of a minibatch mean
      return Math.abs(value - bound.get(k)![i]!) / (sd / Math.sqrt(K) + 1e-6);
    };
    const worstZ = (g: Grads): number => Math.max(...[...g].flatMap(([k, v]) => Array.from(v, (x, i) => zOf(k, i, x))));
    const sampled: Grads = new Map([...sum].map(([k, v]) => [k, v.map((x) => x / K)]));
    expect(worstZ(sampled)).toBeLessThan(5); // ≈ 300 components: a 5σ deviation would be a real bias
    // The check has power against plausible bugs: in expectation over the 9 paths, the estimator without
    // its score-function term (signal weight 0), and paths drawn uniformly instead of by α, are each more
    // than 5 standard errors of this sample away from the exact gradient.
    const noSignal: Grads = new Map();
    const uniform: Grads = new Map();
    PATHS.forEach((path, i) => {
      addInto(
        noSignal,
        estimate(decoder, (t) => givenRegions([path[t]!]), -1.5, 0, 1, 0),
        probs[i]!,
      );
      addInto(
        uniform,
        estimate(decoder, (t) => givenRegions([path[t]!]), -1.5, 0),
        1 / PATHS.length,
      );
    });
    expect(worstZ(noSignal)).toBeGreaterThan(5);
    expect(worstZ(uniform)).toBeGreaterThan(5);
    decoder.dispose();
  });

  it('the sampler draws region i with probability α_i, is seeded, and never draws a region of weight 0', () => {
    const alpha = tf.tensor2d([[0.5, 0.3, 0.2, 0]]);
    const counts = [0, 0, 0, 0];
    const N = 4000;
    for (let n = 0; n < N; n++) {
      const r = tf.tidy(() => sampleRegions(n)(alpha).dataSync());
      counts[r.indexOf(1)]! += 1;
    }
    [0.5, 0.3, 0.2].forEach((p, i) => expect(Math.abs(counts[i]! / N - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / N)));
    expect(counts[3]).toBe(0);
    const many = tf.tile(alpha, [64, 1]) as tf.Tensor2D;
    const a = tf.tidy(() => Array.from(tf.argMax(sampleRegions(12)(many), 1).dataSync()));
    expect(tf.tidy(() => Array.from(tf.argMax(sampleRegions(12)(many), 1).dataSync()))).toEqual(a);
    expect(tf.tidy(() => Array.from(tf.argMax(sampleRegions(13)(many), 1).dataSync()))).not.toEqual(a);
    tf.dispose([alpha, many]);
    // Under a gradient tape, with a masked region (α exactly 0): the draw passes no NaN back.
    const v = tf.variable(tf.tensor2d([[0.3, -0.2, 0.1, 0.5]]));
    const { value, grads } = tf.variableGrads(() => {
      const a = tf.softmax(tf.add(v, tf.tensor2d([[0, 0, 0, -1e9]]))) as tf.Tensor2D; // [1, 4], α_3 = 0
      return tf.sum(tf.mul(sampleRegions(5)(a), tf.log(tf.add(a, 1)))) as tf.Scalar;
    }, [v]);
    expect(Array.from(grads[v.name]!.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([v, value, ...Object.values(grads)]);
  });

  it('the objective overfits four captions (decoded greedily with the expected context), holds its tensor count, and keeps a baseline', () => {
    const rng = mulberry32(2);
    const B = 4;
    const decoder = createDecoder({
      vocabSize: 9,
      featureDim: 6,
      embedDim: 8,
      hiddenDim: 16,
      attentionDim: 8,
      seed: 1,
      dropout: 0,
      doublyStochasticLambda: 0,
    });
    const features = tf.tensor3d(
      Float32Array.from({ length: B * 4 * 6 }, () => rng() * 2),
      [B, 4, 6],
    ); // [B, L, D]
    const captions = [
      [4, 5],
      [4, 6],
      [7, 5],
      [7, 6, 8],
    ]; // (ids 0–3 are <pad> <start> <end> <unk>)
    const width = 5;
    const ids = new Int32Array(B * width);
    const mask = new Float32Array(B * width);
    captions.forEach((c, b) => [1, ...c, 2].forEach((id, t) => ((ids[b * width + t] = id), (mask[b * width + t] = 1))));
    const batch = { features, tokens: tf.tensor2d(ids, [B, width], 'int32'), mask: tf.tensor2d(mask, [B, width]), targetCount: 0 };
    const objective = hardAttentionObjective({
      seed: 3,
      expectedProbability: 0.5,
      signalWeight: 0.1,
      entropyWeight: 0.002,
      baselineDecay: 0.9,
    });
    const optimizer = createAdam(0.02, decoder.getWeights());
    const vars = decoder.trainableVariables();
    let before = 0;
    const seen = new Set<boolean>();
    for (let step = 0; step < 150; step++) {
      if (step === 5) before = tf.memory().numTensors;
      const ctx: StepContext = { decoder, batch, keys: [], step, dropoutSeed: step };
      const p = objective.prepare(ctx);
      seen.add(p.expected);
      const { value, grads } = tf.variableGrads(() => objective.loss(ctx, p).loss, vars);
      optimizer.applyGradients(grads);
      objective.afterStep!(p);
      objective.release(p);
      tf.dispose([value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    expect([...seen].sort()).toEqual([false, true]); // both kinds of minibatch ran
    expect(objective.baseline).toBeLessThan(0);
    expect(objective.baseline).toBeGreaterThan(-1); // log p(y | s̃) of the learned captions is near 0
    expect(objective.state!()).toEqual({ baseline: objective.baseline });
    const decoded = greedyDecode(decoder, features, { maxLength: 6 });
    expect(decoded.map((d) => d.words.map((w) => w.token))).toEqual(captions);
    tf.dispose([features, batch.tokens, batch.mask]);
    optimizer.dispose();
    decoder.dispose();
  });

  it('a run recorded before --attention existed (soft) refuses to resume as hard attention', async () => {
    const { checkResumeFlags } = await import('../src/cli/train-setup.js');
    const args = { attention: 'hard', 'hard-expected': 0.5, 'hard-signal': 0.1, 'hard-entropy': 0.002, seed: 1 } as unknown as Parameters<
      typeof checkResumeFlags
    >[1];
    expect(() => checkResumeFlags({ seed: 1 }, args, 'runs/old')).toThrow(
      /--attention is "hard" but the run in runs\/old was started with --attention "soft"/,
    );
    expect(() => checkResumeFlags({ seed: 1 }, { ...args, attention: 'soft' } as typeof args, 'runs/old')).not.toThrow();
  });

  it('--lambda defaults to 0 with --attention hard and 1 with soft; a given --lambda wins; a hard run started with λ = 1 will not resume under the new default', async () => {
    const { default: yargs } = await import('yargs');
    const { trainOptions } = await import('../src/cli/train-options.js');
    const { checkResumeFlags } = await import('../src/cli/train-setup.js');
    const parse = (...extra: string[]) =>
      trainOptions(yargs(['--dataset', 'd', '--features', 'f', '--out', 'o', ...extra]))
        .exitProcess(false)
        .parseAsync();
    expect((await parse()).lambda).toBe(1);
    expect((await parse('--attention', 'hard')).lambda).toBe(0);
    expect((await parse('--attention', 'hard', '--lambda', '1')).lambda).toBe(1);
    expect((await parse('--attention', 'soft', '--lambda', '0.25')).lambda).toBe(0.25);
    const hard = await parse('--attention', 'hard');
    expect(() => checkResumeFlags({ attention: 'hard', lambda: 1 }, hard, 'runs/hard-xe')).toThrow(
      /--lambda is 0 but the run in runs\/hard-xe was started with --lambda 1/,
    );
  });

  it("decoding with the argmax context: each step's context is β·a of the most attended region, and each word names that region", () => {
    const decoder = tiny(5);
    const rng = mulberry32(4);
    const features = tf.tensor3d(
      Float32Array.from({ length: 2 * L * D }, () => rng() * 3 - 1),
      [2, L, D],
    ); // [2, L, D]
    tf.tidy(() => {
      const memory = prepareMemory(decoder.params, decoder.config.scoring, features);
      const h = tf.randomNormal([2, 5], 0, 1, 'float32', 3) as tf.Tensor2D; // [2, H]
      const { alpha, beta, context, regions } = attend(memory, h, attentionWeights(decoder.params, decoder.config.scoring), argmaxRegion);
      const a = alpha.arraySync(),
        b = beta.arraySync(),
        z = context.arraySync(),
        f = features.arraySync(),
        r = regions.arraySync();
      for (let n = 0; n < 2; n++) {
        const s = a[n]!.indexOf(Math.max(...a[n]!));
        expect(r[n]!.indexOf(1)).toBe(s);
        z[n]!.forEach((v, d) => expect(v).toBeCloseTo(b[n]![0]! * f[n]![s]![d]!, 5));
      }
    });
    // Through the search: the same model, both modes; identical regions make both contexts equal.
    const flat = tf.tile(tf.slice(features, [0, 0, 0], [2, 1, D]), [1, L, 1]) as tf.Tensor3D; // [2, L, D], every region the same
    const decode = (f: tf.Tensor3D, context: 'expected' | 'argmax') =>
      greedyDecode(decoder, f, { maxLength: 5, allowUnk: true, contextMode: context });
    expect(decode(flat, 'argmax').map((c) => c.logProb)).toEqual(
      decode(flat, 'expected')
        .map((c) => c.logProb)
        .map((x) => expect.closeTo(x, 5)),
    );
    const argmax = decode(features, 'argmax');
    const expected = decode(features, 'expected');
    expect(argmax.map((c) => c.logProb)).not.toEqual(expected.map((c) => c.logProb));
    tf.dispose([features, flat]);
    decoder.dispose();
  });

  it('a Captioner in argmax mode reports, per word, the region it chose (the argmax of α)', async () => {
    const decoder = tiny(6);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hard-captioner-'));
    const vocab = Vocabulary.build([['red', 'blue', 'dog']], { minCount: 1 }); // 4 special tokens + 3 words = V
    expect(vocab.size).toBe(V);
    await saveCheckpoint(dir, {
      encoder: 'tiny',
      grid: { height: 1, width: L },
      config: decoder.config,
      vocab: vocab.toJSON(),
      weights: decoder.getWeights(),
    });
    const captioner = await CaptionModel.read(await checkpointFolder(dir));
    const rng = mulberry32(8);
    const features = tf.tensor3d(
      Float32Array.from({ length: 16 * L * D }, () => rng() * 6 - 3),
      [16, L, D],
    ); // [16, L, D]
    const withRegions = captioner.caption(features, { beamSize: 2, maxLength: 4, context: 'argmax', allowUnk: true });
    const soft = captioner.caption(features, { beamSize: 2, maxLength: 4, allowUnk: true });
    const words = withRegions.flatMap((c) => c.words);
    expect(words.length).toBeGreaterThan(2); // (a random tiny model often ends at once: 16 photos give some words)
    for (const w of words) expect(w.region).toBe(w.alpha.indexOf(Math.max(...w.alpha)));
    for (const w of soft.flatMap((c) => c.words)) expect(w.region).toBeUndefined();
    features.dispose();
    captioner.dispose();
    decoder.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
