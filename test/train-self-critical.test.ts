/**
 * Self-critical sequence training, piece by piece: seeded multinomial sampling (frequencies match the
 * model, suppressed tokens never come), the CIDEr-D reward with training document frequencies and the
 * end token as a word (equal to coco-caption's CIDEr-D on the same words; fragments lose), the
 * mean-of-others baseline, and the loop: SCST raises a tiny model's greedy CIDEr-D, holds the tensor
 * count steady, and resumes exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { sampleCaptions } from '../src/search/sample.js';
import { CiderDScorer } from '../src/eval/cider.js';
import { referencesOf } from '../src/eval/evaluate.js';
import { CiderReward, END_WORD, meanOfOthersBaseline } from '../src/train/cider-reward.js';
import { selfCriticalObjective } from '../src/train/self-critical.js';
import { runTraining } from '../src/train/trainer.js';
import { mockModel, type Table } from './mock-step-model.js';
import { tinyTrainLoop } from './tiny-training.js';

beforeAll(async () => {
  await selectBackend({ log: () => {} });
});

const features = (B: number) => tf.zeros([B, 3, 2]) as tf.Tensor3D;

describe('sampling', () => {
  // <pad> <start> <end> <unk> w4 w5; the first word: w4 0.5, w5 0.3, <unk> 0.15, <end> 0.05; then <end>.
  const table: Table = (prefix) =>
    (prefix.length ? [0, 0, 1, 0, 0, 0] : [0.0, 0.0, 0.05, 0.15, 0.5, 0.3]).map((p) => Math.log(Math.max(p, 1e-30)));

  it('draws words with the model’s probabilities (renormalised without <unk>), never a suppressed token', () => {
    const f = features(40);
    const captions = sampleCaptions(mockModel(table), f, { samples: 50, maxLength: 3, seed: 9 }); // 2,000 captions
    f.dispose();
    const first = new Map<number | 'end', number>();
    for (const c of captions) first.set(c.tokens[0] ?? 'end', (first.get(c.tokens[0] ?? 'end') ?? 0) + 1);
    expect(first.has(3)).toBe(false);
    const n = captions.length;
    for (const [token, p] of [
      [4, 0.5 / 0.85],
      [5, 0.3 / 0.85],
      ['end', 0.05 / 0.85],
    ] as const) {
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs((first.get(token) ?? 0) / n - p), `token ${token}`).toBeLessThan(4 * sd);
    }
    expect(captions.every((c) => c.finished && c.tokens.length <= 1)).toBe(true);
  });

  it('is deterministic per seed and differs across seeds; rows are image-major', () => {
    const f = features(3);
    const a = sampleCaptions(mockModel(table), f, { samples: 4, maxLength: 3, seed: 1 });
    const b = sampleCaptions(mockModel(table), f, { samples: 4, maxLength: 3, seed: 1 });
    const c = sampleCaptions(mockModel(table), f, { samples: 4, maxLength: 3, seed: 2 });
    f.dispose();
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.map((x) => x.image)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('a model that never ends is cut at maxLength (unfinished)', () => {
    const never: Table = () => [0, 0, 0, 0, 0.5, 0.5].map((p) => Math.log(Math.max(p, 1e-30)));
    const f = features(1);
    const [c] = sampleCaptions(mockModel(never), f, { samples: 2, maxLength: 4, seed: 3 });
    f.dispose();
    expect(c!.tokens).toHaveLength(4);
    expect(c!.finished).toBe(false);
  });
});

describe('CIDEr-D reward', () => {
  const refs = new Map<string, string[][]>([
    ['a', ['a man riding a horse on a beach', 'a man rides a brown horse'].map((s) => s.split(' '))],
    ['b', ['two dogs play in the snow', 'a dog runs through snow'].map((s) => s.split(' '))],
    ['c', ['a woman holds a red umbrella', 'a person with an umbrella in the rain'].map((s) => s.split(' '))],
  ]);
  const reward = new CiderReward(refs);

  it('equals coco-caption’s CIDEr-D over the training images, with <end> as a word on both sides', () => {
    const cands = new Map([
      ['a', 'a man riding a horse'.split(' ')],
      ['b', 'a dog in the snow'.split(' ')],
      ['c', 'a woman with an umbrella'.split(' ')],
    ]);
    const withEnd = (m: Map<string, string[][]>) => new Map([...m].map(([k, rs]) => [k, rs.map((r) => [...r, END_WORD])]));
    const coco = new CiderDScorer().score(withEnd(refs), new Map([...cands].map(([k, c]) => [k, [...c, END_WORD]])));
    for (const [id, words] of cands) expect(reward.score(id, words, true)).toBeCloseTo(coco.perImage.get(id)!, 10);
  });

  it('a fragment that stops mid-phrase earns far less than the sentence it comes from', () => {
    const full = reward.score('a', 'a man riding a horse on a beach'.split(' '), true);
    const fragment = reward.score('a', 'a man riding a'.split(' '), true);
    expect(full).toBeGreaterThan(2 * fragment);
    expect(reward.score('a', 'a man riding a horse'.split(' '), true)).toBeGreaterThan(fragment);
  });

  it('the baseline of a sample is the mean of its image’s other samples; advantages sum to 0 per image', () => {
    const r = [1, 2, 3, 10, 20, 30];
    const b = meanOfOthersBaseline(r, 3);
    expect(b).toEqual([2.5, 2, 1.5, 25, 20, 15]);
    expect(r.slice(0, 3).reduce((s, x, i) => s + x - b[i]!, 0)).toBeCloseTo(0, 12);
    expect(() => meanOfOthersBaseline(r, 1)).toThrow(/at least 2 samples/);
  });
});

describe('the SCST log-probability', () => {
  it('is taken under the distribution sampled from: the excluded tokens removed, the rest renormalised', async () => {
    const { createDecoder } = await import('../src/decoder/decoder.js');
    const decoder = createDecoder({ vocabSize: 9, featureDim: 4, embedDim: 3, hiddenDim: 5, attentionDim: 2, seed: 4 });
    const feats = tf.randomUniform([2, 3, 4], 0, 1, 'float32', 7) as tf.Tensor3D; // [B, L, D]
    const tokens = tf.tensor2d(
      [
        [1, 5, 6, 2],
        [1, 7, 2, 0],
      ],
      [2, 4],
      'int32',
    ); // <start> w… <end> <pad>
    const mask = tf.tensor2d([
      [1, 1, 1, 1],
      [1, 1, 1, 0],
    ]);
    const excluded = [0, 1, 3];
    const full = decoder.sequenceCrossEntropy(feats, tokens, mask).dataSync();
    const renormalised = decoder.sequenceCrossEntropy(feats, tokens, mask, {}, excluded).dataSync();
    // Reference: −log p̃(y_t) = −log p(y_t) + log(1 − Σ_excluded p), per real step.
    const out = decoder.forward(feats, tf.slice(tokens, [0, 0], [2, 3]) as tf.Tensor2D); // logits [B, T, V]
    const p = tf.softmax(out.logits).arraySync() as number[][][];
    const m = mask.arraySync();
    [0, 1].forEach((b) => {
      let correction = 0;
      for (let t = 0; t < 3; t++) if (m[b]![t + 1]) correction += Math.log(1 - excluded.reduce((s, v) => s + p[b]![t]![v]!, 0));
      expect(renormalised[b]).toBeCloseTo(full[b]! + correction, 4);
    });
    expect(renormalised[0]).toBeLessThan(full[0]!);
    tf.dispose([feats, tokens, mask, out.logits, out.alphas, out.betas]);
    decoder.dispose();
  });
});

describe('self-critical training loop', () => {
  it('raises greedy CIDEr-D of a cross-entropy model, and holds the tensor count from epoch to epoch', async () => {
    const { loop } = await tinyTrainLoop({ maxEpochs: 6, selectBy: 'CIDEr-D', weightDecay: 0 });
    await runTraining({ ...loop, options: { ...loop.options, maxEpochs: 3 } }); // cross-entropy first
    const xe = loop.state.history.at(-1)!.val['CIDEr-D']!;
    const images = (await import('./tiny-training.js')).TINY_IMAGES;
    const train = images.filter((im) => im.split === 'train');
    const vocab = loop.identity.vocab as never;
    const objective = selfCriticalObjective({
      reward: new CiderReward(referencesOf(train)),
      vocab: (await import('../src/data/vocabulary.js')).Vocabulary.fromJSON(vocab),
      samples: 5,
      maxWords: 8,
      seed: 3,
    });
    const counts: number[] = [];
    const state = { ...loop.state, plateau: { ...loop.state.plateau, learningRate: 5e-3, badEpochs: 0, bestScore: null, bestEpoch: null } };
    await runTraining({
      ...loop,
      objective,
      examples: train.map((im) => ({ key: im.id, ids: [1, 2] })),
      state,
      options: { ...loop.options, maxEpochs: 9, checkpointEvery: 1000, plateau: { ...loop.options.plateau, decayPatience: 100 } },
      log: () => counts.push(tf.memory().numTensors),
    });
    const scst = state.history.at(-1)!.val['CIDEr-D']!;
    expect(state.history.at(-1)!.trainReward).toBeGreaterThan(0);
    const best = Math.max(...state.history.slice(3).map((h) => h.val['CIDEr-D']!));
    expect(scst).toBeGreaterThan(xe);
    expect(best).toBeGreaterThan(2 * xe); // measured: 0.23 → 1.59 after one epoch of SCST
    expect(new Set(counts.slice(1)).size).toBe(1);
    loop.decoder.dispose();
  });
});
