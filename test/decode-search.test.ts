/**
 * Greedy and beam search: exactness against brute force on hand-built step models, k = 1 ≡ greedy,
 * captions that never end, batching, and no tensor leaks on the real decoder.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { beamSearch, greedyDecode, lengthNormalizedScore, type DecodedCaption } from '../src/search/index.js';
import { createDecoder, type AttentionDecoder } from '../src/decoder/index.js';
import { mockModel, randomTable, type Table } from './mock-step-model.js';

beforeAll(async () => {
  await selectBackend();
});

const END = 2;
const WORDS = [3, 4, 5]; // V = 6: <pad>, <start>, <end>, and three words
const L = 3;

/** Best finished caption of ≤ maxLength words by enumerating every word sequence. */
function bruteForce(table: Table, maxLength: number, lengthPenalty: number): { tokens: number[]; logProb: number; score: number } {
  let best = { tokens: [] as number[], logProb: -Infinity, score: -Infinity };
  const visit = (prefix: number[], cum: number) => {
    const lp = table(prefix, 0);
    const ended = cum + lp[END]!;
    const score = lengthNormalizedScore(ended, prefix.length + 1, lengthPenalty);
    if (score > best.score) best = { tokens: [...prefix], logProb: ended, score };
    if (prefix.length === maxLength) return;
    for (const w of WORDS) visit([...prefix, w], cum + lp[w]!);
  };
  visit([], 0);
  return best;
}

/**
 * Beam search written the plain way, as the reference for pruning: at every step score every
 * extension of every live beam (no top-2k shortcut), sort them all, let the top k that end finish,
 * keep the best k that do not as live beams, and run to maxLength (no early stop). Result: the k
 * best finished hypotheses by length-normalised score (the unfinished ones if none finished).
 */
function referenceBeam(
  table: Table,
  k: number,
  maxLength: number,
  lengthPenalty: number,
): { tokens: number[]; logProb: number; score: number; finished: boolean }[] {
  type Hyp = { tokens: number[]; logProb: number; score: number; finished: boolean };
  let live: { tokens: number[]; logProb: number }[] = [{ tokens: [], logProb: 0 }];
  const finished: Hyp[] = [];
  let unfinished: Hyp[] = [];
  for (let t = 0; t <= maxLength && live.length; t++) {
    const all = live.flatMap((b) => table(b.tokens, 0).map((lp, token) => ({ tokens: b.tokens, token, logProb: b.logProb + lp })));
    const ranked = all
      .filter((c) => c.token >= 2)
      .sort((a, b) => b.logProb - a.logProb)
      .slice(0, 2 * k);
    const next: typeof live = [];
    ranked.forEach((c, rank) => {
      if (c.token === END) {
        if (rank < k)
          finished.push({
            tokens: c.tokens,
            logProb: c.logProb,
            score: lengthNormalizedScore(c.logProb, c.tokens.length + 1, lengthPenalty),
            finished: true,
          });
      } else if (t < maxLength && next.length < k) next.push({ tokens: [...c.tokens, c.token], logProb: c.logProb });
    });
    if (t === maxLength || (next.length === 0 && finished.length === 0)) {
      unfinished = live.map((b) => ({ ...b, score: lengthNormalizedScore(b.logProb, b.tokens.length, lengthPenalty), finished: false }));
    }
    live = next;
  }
  const pool = finished.length ? finished : unfinished;
  return pool.sort((a, b) => b.score - a.score).slice(0, k);
}

const dummyFeatures = (B: number) => tf.zeros([B, L, 2]) as tf.Tensor3D;

function expectSameCaption(a: DecodedCaption, b: DecodedCaption): void {
  expect(a.tokens).toEqual(b.tokens);
  expect(a.finished).toBe(b.finished);
  expect(a.logProb).toBeCloseTo(b.logProb, 4);
  a.words.forEach((w, i) => {
    expect(w.logProb).toBeCloseTo(b.words[i]!.logProb, 4);
    w.alpha.forEach((x, j) => expect(x).toBeCloseTo(b.words[i]!.alpha[j]!, 5));
  });
}

describe('beam search on hand-built models', () => {
  it('an exhaustive beam finds the brute-force best caption (α = 0 and α = 0.7)', () => {
    const features = dummyFeatures(1);
    for (let seed = 1; seed <= 12; seed++) {
      for (const lengthPenalty of [0, 0.7]) {
        const table = randomTable(seed);
        const model = mockModel(table);
        const want = bruteForce(table, 3, lengthPenalty);
        // At most 27 live prefixes × 4 extensions: k = 108 keeps every candidate.
        const [got] = beamSearch(model, features, { allowUnk: true, beamSize: 108, maxLength: 3, lengthPenalty });
        expect(got!.tokens).toEqual(want.tokens);
        expect(got!.logProb).toBeCloseTo(want.logProb, 4);
        expect(got!.score).toBeCloseTo(want.score, 4);
        expect(got!.finished).toBe(true);
        expect(model.live()).toBe(0);
      }
    }
    features.dispose();
  });

  it('a small beam prunes exactly as the plain reference does, with and without a length penalty', () => {
    const features = dummyFeatures(1);
    let differsFromExhaustive = 0;
    for (let seed = 1; seed <= 40; seed++) {
      for (const k of [2, 3]) {
        for (const lengthPenalty of [0, 0.7, 1.5]) {
          const table = randomTable(seed, -1.5);
          const want = referenceBeam(table, k, 4, lengthPenalty);
          const model = mockModel(table);
          const [got] = beamSearch(model, features, { allowUnk: true, beamSize: k, maxLength: 4, lengthPenalty });
          const where = `seed ${seed}, k ${k}, α ${lengthPenalty}`;
          expect(
            got!.hypotheses.map((h) => h.tokens),
            where,
          ).toEqual(want.map((h) => h.tokens));
          got!.hypotheses.forEach((h, i) => {
            expect(h.logProb, where).toBeCloseTo(want[i]!.logProb, 4);
            expect(h.score, where).toBeCloseTo(want[i]!.score, 4);
            expect(h.finished, where).toBe(want[i]!.finished);
          });
          if (bruteForce(table, 4, lengthPenalty).tokens.join() !== got!.tokens.join()) differsFromExhaustive++;
          expect(model.live()).toBe(0);
        }
      }
    }
    expect(differsFromExhaustive).toBeGreaterThan(0); // the fixtures do exercise pruning
    features.dispose();
  });

  it('a small beam finds the best caption where greedy does not', () => {
    // After <start>: "3" 0.5, "4" 0.4, <end> 0.1. After "3": everything 0.25. After "4": <end> 0.9.
    const table: Table = (prefix) => {
      const p = [0, 0, 0.1, 0.5, 0.4, 0];
      if (prefix.length === 1 && prefix[0] === 3) p.splice(2, 4, 0.25, 0.25, 0.25, 0.25);
      if (prefix.length >= 1 && prefix[0] === 4) p.splice(2, 4, 0.9, 0.05, 0.05, 0);
      if (prefix.length >= 2 && prefix[0] === 3) p.splice(2, 4, 0.4, 0.2, 0.2, 0.2);
      return p.map(Math.log);
    };
    const features = dummyFeatures(1);
    const [greedy] = greedyDecode(mockModel(table), features, { allowUnk: true, maxLength: 4 });
    const [beam] = beamSearch(mockModel(table), features, { allowUnk: true, beamSize: 2, maxLength: 4 });
    const want = bruteForce(table, 4, 0);
    expect(want.tokens).toEqual([4]);
    expect(greedy!.tokens[0]).toBe(3);
    expect(beam!.tokens).toEqual([4]);
    expect(beam!.logProb).toBeCloseTo(Math.log(0.4 * 0.9), 6);
    expect(beam!.hypotheses.length).toBe(2);
    expect(beam!.hypotheses[0]).toEqual(expect.objectContaining({ tokens: [4] }));
    features.dispose();
  });

  it('k = 1 equals greedy', () => {
    const features = dummyFeatures(3);
    for (let seed = 1; seed <= 10; seed++) {
      const table = randomTable(seed, -1);
      const greedy = greedyDecode(mockModel(table), features, { allowUnk: true, maxLength: 6 });
      const beam = beamSearch(mockModel(table), features, { allowUnk: true, beamSize: 1, maxLength: 6 });
      greedy.forEach((g, b) => expectSameCaption(beam[b]!, g));
    }
    features.dispose();
  });

  it('a model that never emits <end> still yields a max-length caption (greedy and beam)', () => {
    const table: Table = (prefix) => [
      -Infinity,
      -Infinity,
      -Infinity,
      Math.log(0.6),
      Math.log(0.3 - prefix.length * 0.01),
      Math.log(0.1 + prefix.length * 0.01),
    ];
    const features = dummyFeatures(2);
    const model = mockModel(table);
    for (const result of [
      greedyDecode(model, features, { allowUnk: true, maxLength: 5 }),
      beamSearch(model, features, { allowUnk: true, beamSize: 3, maxLength: 5 }),
    ]) {
      expect(result).toHaveLength(2);
      for (const cap of result) {
        expect(cap.finished).toBe(false);
        expect(cap.tokens).toEqual([3, 3, 3, 3, 3]);
        expect(cap.words).toHaveLength(5);
        expect(cap.logProb).toBeCloseTo(5 * Math.log(0.6), 5);
      }
    }
    expect(model.live()).toBe(0);
    features.dispose();
  });

  it('an <end> that is merely unlikely is still found when it pays off overall', () => {
    // <end> is never the top word, but every word makes the caption much less likely.
    const table: Table = (prefix) =>
      prefix.length === 0
        ? [-Infinity, -Infinity, Math.log(0.3), Math.log(0.35), Math.log(0.35), -Infinity]
        : [-Infinity, -Infinity, Math.log(0.01), Math.log(0.5), Math.log(0.49), -Infinity];
    const features = dummyFeatures(1);
    const [beam] = beamSearch(mockModel(table), features, { allowUnk: true, beamSize: 3, maxLength: 4 });
    expect(beam!.tokens).toEqual([]);
    expect(beam!.finished).toBe(true);
    expect(beam!.logProb).toBeCloseTo(Math.log(0.3), 6);
    features.dispose();
  });

  it('batched beam search equals image-by-image search', () => {
    const table = randomTable(5, -0.5);
    const features = dummyFeatures(3);
    const batched = beamSearch(mockModel(table), features, { allowUnk: true, beamSize: 3, maxLength: 5, lengthPenalty: 0.5 });
    batched.forEach((cap, b) => {
      const one = tf.slice(features, [b, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const [single] = beamSearch(mockModel(table), one, { beamSize: 3, maxLength: 5, lengthPenalty: 0.5 });
      expect(cap.tokens).toEqual(single!.tokens);
      expect(cap.logProb).toBeCloseTo(single!.logProb, 6);
      one.dispose();
    });
    features.dispose();
  });

  /** Image b ends after about b + 1 words: <end> gets a large bias once the prefix is longer than b. */
  const endsByImage = (seed: number): Table => {
    const base = randomTable(seed, -6); // <end> is unlikely before
    return (prefix, image) => base(prefix, image).map((lp, v) => (v === END && prefix.length > image ? lp + 12 : lp));
  };

  it('greedy: images whose caption ended leave the batch (once ≥ ¼ are done), and every caption equals its image decoded alone', () => {
    const table = endsByImage(12);
    const B = 8;
    const features = dummyFeatures(B);
    const model = mockModel(table);
    const batched = greedyDecode(model, features, { allowUnk: true, maxLength: 12 });
    expect(model.rowsPerStep[0]).toBe(B);
    expect(Math.min(...model.rowsPerStep)).toBeLessThan(B);
    for (let i = 1; i < model.rowsPerStep.length; i++) expect(model.rowsPerStep[i]).toBeLessThanOrEqual(model.rowsPerStep[i - 1]!);
    expect(model.live()).toBe(0);
    expect(new Set(batched.map((c) => c.tokens.length)).size).toBeGreaterThan(2);
    batched.forEach((cap, b) => {
      const one = tf.slice(features, [b, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const [single] = greedyDecode(
        mockModel((prefix) => table(prefix, b)),
        one,
        { allowUnk: true, maxLength: 12 },
      );
      expect(cap.tokens).toEqual(single!.tokens);
      expect(cap.finished).toBe(single!.finished);
      expect(cap.logProb).toBeCloseTo(single!.logProb, 6);
      one.dispose();
    });
    features.dispose();
  });

  it('beam: images whose search ended leave the batch (one row per image at the first step, k after; cut once ≥ ¼ are done), and every result equals its image searched alone', () => {
    const table = endsByImage(11);
    const B = 8;
    const features = dummyFeatures(B);
    const model = mockModel(table);
    const batched = beamSearch(model, features, { allowUnk: true, beamSize: 3, maxLength: 12 });
    expect(model.rowsPerStep[0]).toBe(B);
    expect(model.rowsPerStep[1]).toBe(3 * B);
    expect(Math.min(...model.rowsPerStep.slice(1))).toBeLessThan(3 * B); // finished images were dropped
    for (let i = 2; i < model.rowsPerStep.length; i++) expect(model.rowsPerStep[i]).toBeLessThanOrEqual(model.rowsPerStep[i - 1]!);
    expect(model.live()).toBe(0);
    batched.forEach((cap, b) => {
      const one = tf.slice(features, [b, 0, 0], [1, -1, -1]) as tf.Tensor3D;
      const alone = mockModel((prefix) => table(prefix, b));
      const [single] = beamSearch(alone, one, { allowUnk: true, beamSize: 3, maxLength: 12 });
      expect(cap.tokens).toEqual(single!.tokens);
      expect(cap.hypotheses.map((h) => h.tokens)).toEqual(single!.hypotheses.map((h) => h.tokens));
      expect(cap.logProb).toBeCloseTo(single!.logProb, 6);
      one.dispose();
    });
    features.dispose();
  });

  it('never emits <unk> unless asked (id 3 here is the likeliest word after every prefix)', () => {
    const table: Table = (prefix) => (prefix.length ? [0, 0, 0.9, 0.05, 0.03, 0.02] : [0, 0, 0.01, 0.7, 0.2, 0.09]).map(Math.log);
    const features = dummyFeatures(1);
    for (const search of [
      (o: object) => greedyDecode(mockModel(table), features, { maxLength: 3, ...o }),
      (o: object) => beamSearch(mockModel(table), features, { beamSize: 3, maxLength: 3, ...o }),
    ]) {
      const [plain] = search({});
      expect(plain!.tokens).not.toContain(3);
      expect(plain!.words.every((w) => w.token !== 3)).toBe(true);
      const [debug] = search({ allowUnk: true });
      expect(debug!.tokens).toContain(3);
    }
    features.dispose();
  });

  it('rejects bad options', () => {
    const features = dummyFeatures(1);
    const model = mockModel(randomTable(1));
    expect(() => beamSearch(model, features, { allowUnk: true, beamSize: 0 })).toThrow(/beamSize/);
    expect(() => greedyDecode(model, features, { allowUnk: true, maxLength: 0 })).toThrow(/maxLength/);
    expect(() => greedyDecode(model, features, { allowUnk: true, lengthPenalty: -1 })).toThrow(/lengthPenalty/);
    features.dispose();
  });
});

describe('search on the real decoder', () => {
  // A tiny decoder overfitted on three captions, so that search has real, finished captions to find.
  const CAPTIONS = [
    [5, 6, 7],
    [8, 4],
    [6, 6, 5, 8],
  ];
  let dec: AttentionDecoder;
  let features: tf.Tensor3D;
  beforeAll(() => {
    dec = createDecoder({ vocabSize: 9, featureDim: 4, embedDim: 8, hiddenDim: 12, attentionDim: 6, seed: 21, dropout: 0 });
    features = tf.randomUniform([3, 5, 4], 0, 2, 'float32', 13) as tf.Tensor3D;
    const rows = CAPTIONS.map((c) => [1, ...c, 2, ...new Array<number>(4 - c.length).fill(0)]); // [3, 6]
    const tokens = tf.tensor2d(rows, undefined, 'int32');
    const mask = tf.tensor2d(rows.map((r) => r.map((t) => (t === 0 ? 0 : 1))));
    const opt = tf.train.adam(0.05);
    for (let i = 0; i < 60; i++) {
      opt.minimize(() => dec.computeLoss(features, tokens, mask, { training: true }).loss, false, dec.trainableVariables());
    }
    opt.dispose();
    tf.dispose([tokens, mask]);
  });
  afterAll(() => {
    features.dispose();
    dec.dispose();
  });

  it('greedy and beam search reproduce the memorised captions', () => {
    const greedy = greedyDecode(dec, features, { maxLength: 8 });
    const beam = beamSearch(dec, features, { beamSize: 3, maxLength: 8 });
    CAPTIONS.forEach((c, b) => {
      expect(greedy[b]!.tokens).toEqual(c);
      expect(greedy[b]!.finished).toBe(true);
      expect(beam[b]!.tokens).toEqual(c);
      expect(beam[b]!.logProb).toBeGreaterThan(Math.log(0.5));
    });
  });

  it('k = 1 beam equals greedy; words carry α (sums to 1), β ∈ (0,1), log p', () => {
    const greedy = greedyDecode(dec, features, { maxLength: 7 });
    const beam = beamSearch(dec, features, { beamSize: 1, maxLength: 7 });
    greedy.forEach((g, b) => {
      expectSameCaption(beam[b]!, g);
      for (const w of g.words) {
        expect(w.alpha).toHaveLength(5);
        expect(w.alpha.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 5);
        expect(w.beta > 0 && w.beta < 1).toBe(true);
        expect(w.logProb).toBeLessThanOrEqual(0);
        expect(w.token).toBeGreaterThan(2);
      }
      const wordsSum = g.words.reduce((s, w) => s + w.logProb, 0);
      if (!g.finished) expect(g.logProb).toBeCloseTo(wordsSum, 5);
      else expect(g.logProb).toBeLessThan(wordsSum + 1e-6);
    });
  });

  it('returns at most k hypotheses, ranked by score, the first being the result', () => {
    const beam = beamSearch(dec, features, { beamSize: 4, maxLength: 7 });
    beam.forEach((r) => {
      expect(r.hypotheses[0]!.tokens).toEqual(r.tokens);
      expect(r.hypotheses.length).toBeGreaterThan(0);
      expect(r.hypotheses.length).toBeLessThanOrEqual(4);
      for (let i = 1; i < r.hypotheses.length; i++) expect(r.hypotheses[i - 1]!.score).toBeGreaterThanOrEqual(r.hypotheses[i]!.score);
    });
  });

  it('masked regions get zero attention in every decoded word', () => {
    const regionMask = tf.tensor2d([
      [1, 0, 1, 1, 0],
      [1, 1, 1, 1, 1],
      [0, 0, 0, 1, 0],
    ]);
    const caps = beamSearch(dec, features, { beamSize: 2, maxLength: 5, regionMask });
    for (const w of caps[0]!.words) expect([w.alpha[1], w.alpha[4]]).toEqual([0, 0]);
    for (const w of caps[2]!.words) expect(w.alpha[3]).toBeCloseTo(1, 6);
    regionMask.dispose();
  });

  it('leaks no tensors per decode call', () => {
    greedyDecode(dec, features, { maxLength: 4 });
    beamSearch(dec, features, { beamSize: 3, maxLength: 4 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      greedyDecode(dec, features, { maxLength: 6 });
      beamSearch(dec, features, { beamSize: 3, maxLength: 6, lengthPenalty: 0.7 });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
