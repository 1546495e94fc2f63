/**
 * Constrained beam search (src/search/constrained-beam.ts) on hand-built models: with a beam wide
 * enough to keep every candidate it finds the brute-force best caption among those containing a
 * constraint word; every result contains one; a constraint every word satisfies is plain beam search;
 * images in one batch are searched as they would be alone; no state is leaked.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { beamSearch } from '../src/search/beam.js';
import { constrainedBeamSearch } from '../src/search/constrained-beam.js';
import { lengthNormalizedScore } from '../src/search/scoring.js';
import { mockModel, randomTable, type Table } from './mock-step-model.js';

beforeAll(async () => {
  await selectBackend();
});

const END = 2;
const WORDS = [3, 4, 5];
const features = (B: number) => tf.zeros([B, 3, 2]) as tf.Tensor3D;

/** The best finished caption of ≤ maxLength words that contains one of `allowed`. */
function bruteForce(
  table: Table,
  allowed: readonly number[],
  maxLength: number,
  lengthPenalty: number,
): { tokens: number[]; score: number } {
  let best = { tokens: [] as number[], score: -Infinity };
  const visit = (prefix: number[], cum: number) => {
    const lp = table(prefix, 0);
    const score = lengthNormalizedScore(cum + lp[END]!, prefix.length + 1, lengthPenalty);
    if (prefix.some((t) => allowed.includes(t)) && score > best.score) best = { tokens: [...prefix], score };
    if (prefix.length === maxLength) return;
    for (const w of WORDS) visit([...prefix, w], cum + lp[w]!);
  };
  visit([], 0);
  return best;
}

describe('constrained beam search', () => {
  it('an exhaustive beam finds the best caption that contains a constraint word', () => {
    for (let seed = 1; seed <= 15; seed++) {
      for (const allowed of [[4], [3, 5]]) {
        for (const lengthPenalty of [0, 0.7]) {
          const table = randomTable(seed, -1);
          const model = mockModel(table);
          const [got] = constrainedBeamSearch(model, features(1), [allowed], {
            allowUnk: true,
            beamSize: 108,
            maxLength: 3,
            lengthPenalty,
          });
          const want = bruteForce(table, allowed, 3, lengthPenalty);
          expect(got!.tokens, `seed ${seed}`).toEqual(want.tokens);
          expect(got!.score).toBeCloseTo(want.score, 4);
          expect(model.live()).toBe(0);
        }
      }
    }
  });

  it('small beams: every caption contains a constraint word; word log p add up', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const [got] = constrainedBeamSearch(mockModel(randomTable(seed, -2)), features(1), [[5]], {
        allowUnk: true,
        beamSize: 2,
        maxLength: 5,
      });
      expect(got!.tokens).toContain(5);
      const sum = got!.words.reduce((s, w) => s + w.logProb, 0);
      // A finished caption's logProb adds the <end> step's log p to its words'.
      if (got!.finished) expect(got!.logProb).toBeLessThan(sum);
      else expect(got!.logProb).toBeCloseTo(sum, 5);
    }
  });

  it('a constraint that every word satisfies is plain beam search (for captions of at least one word)', () => {
    let compared = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const table = randomTable(seed, -1.5);
      const [plain] = beamSearch(mockModel(table), features(1), { allowUnk: true, beamSize: 3, maxLength: 4, lengthPenalty: 0.5 });
      if (plain!.tokens.length === 0) continue; // an empty caption contains no word: not a constrained answer
      compared++;
      const [cbs] = constrainedBeamSearch(mockModel(table), features(1), [WORDS], {
        allowUnk: true,
        beamSize: 3,
        maxLength: 4,
        lengthPenalty: 0.5,
      });
      expect(cbs!.tokens).toEqual(plain!.tokens);
      expect(cbs!.score).toBeCloseTo(plain!.score, 5);
    }
    expect(compared).toBeGreaterThan(15);
  });

  it('a batch is searched as each image alone', () => {
    const tables = [randomTable(3), randomTable(4), randomTable(5)];
    const table: Table = (prefix, image) => tables[image]!(prefix, 0);
    const constraints = [[3], [4, 5], [5]];
    const batched = constrainedBeamSearch(mockModel(table), features(3), constraints, { allowUnk: true, beamSize: 2, maxLength: 5 });
    constraints.forEach((c, b) => {
      const [alone] = constrainedBeamSearch(
        mockModel((p) => tables[b]!(p, 0)),
        features(1),
        [c],
        { allowUnk: true, beamSize: 2, maxLength: 5 },
      );
      expect(batched[b]!.tokens).toEqual(alone!.tokens);
      expect(batched[b]!.logProb).toBeCloseTo(alone!.logProb, 5);
    });
  });

  it('refuses a missing or empty constraint', () => {
    expect(() => constrainedBeamSearch(mockModel(randomTable(1)), features(2), [[3]])).toThrow(/one non-empty constraint per image/);
    expect(() => constrainedBeamSearch(mockModel(randomTable(1)), features(1), [[]])).toThrow(/one non-empty constraint per image/);
  });
});
