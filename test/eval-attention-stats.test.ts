import { describe, expect, it } from 'vitest';
import { attentionStats, entropy, totalVariation, wordClass } from '../src/eval/attention-stats.js';

const uniform = Array.from({ length: 4 }, () => 0.25);
const onCell = (i: number) => [0, 1, 2, 3].map((j) => (j === i ? 1 : 0));

describe('attention statistics', () => {
  it('entropy: ln L for uniform, 0 for one cell; distance: 0 identical, 1 disjoint', () => {
    expect(entropy(uniform)).toBeCloseTo(Math.log(4), 10);
    expect(entropy(onCell(2))).toBe(0);
    expect(totalVariation(onCell(0), onCell(0))).toBe(0);
    expect(totalVariation(onCell(0), onCell(3))).toBe(1);
  });

  it('classes words by lexicon and averages per class', () => {
    expect([wordClass('dog'), wordClass('the'), wordClass('running')]).toEqual(['noun', 'function', 'other']);
    const s = attentionStats([
      {
        words: [
          { word: 'a', alpha: uniform },
          { word: 'dog', alpha: onCell(1) },
          { word: 'runs', alpha: onCell(1) },
        ],
      },
    ]);
    expect(s.entropy.function).toEqual({ mean: Math.log(4), words: 1 });
    expect(s.entropy.noun).toEqual({ mean: 0, words: 1 });
    expect(s.consecutiveDistance).toBeCloseTo((0.75 + 0) / 2, 10);
    expect(s.uniformEntropy).toBeCloseTo(Math.log(4), 10);
  });
});
