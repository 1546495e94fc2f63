import { describe, expect, it } from 'vitest';
import { BleuScorer, bleuScorers, computeBleu } from '../src/eval/bleu.js';
import { CiderDScorer } from '../src/eval/cider.js';
import { defaultScorers, evaluateCaptions, referencesOf } from '../src/eval/evaluate.js';
import { ExactMatchScorer } from '../src/eval/exact-match.js';
import { lcsLength, RougeLScorer } from '../src/eval/rouge.js';
import type { Candidates, References } from '../src/eval/scorer.js';

const words = (s: string): string[] => s.split(' ');

// Goldens computed with coco-caption (pycocoevalcap) on this already tokenized text.
const REFS: References = new Map([
  [
    '1',
    ['a man is riding a horse on the beach', 'a person rides a brown horse near the ocean', 'a man on a horse at the beach'].map(words),
  ],
  [
    '2',
    [
      'two dogs play in the snow',
      'a pair of dogs running through snow',
      'dogs playing together in white snow',
      'two brown dogs in the snow',
    ].map(words),
  ],
  ['3', ['a plate of food with broccoli and rice', 'a white plate topped with rice and vegetables'].map(words)],
]);
const CANDS: Candidates = new Map([
  ['1', words('a man riding a horse on the beach')],
  ['2', words('a dog in the snow')],
  ['3', words('a plate of rice and broccoli')],
]);

/** Relative error ≤ 1e-6. */
function close(actual: number | undefined, expected: number): void {
  expect(actual).toBeDefined();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(1e-6 * Math.abs(expected));
}

describe('BLEU (coco-caption bleu_scorer.py)', () => {
  it('reproduces corpus BLEU-1..4 and per-image BLEU-4', () => {
    const r = computeBleu(REFS, CANDS);
    [0.8089954726, 0.6891646463, 0.5720408219, 0.4679585395].forEach((g, k) => close(r.corpus[k], g));
    close(r.perImage.get('1')?.[3], 0.765205883);
    close(r.perImage.get('2')?.[3], 7.39806748e-5);
    close(r.perImage.get('3')?.[3], 6.0252861e-5);
  });

  it('gives the same numbers through the Scorer interface', () => {
    const scores = bleuScorers().map((s) => s.score(REFS, CANDS));
    expect(bleuScorers().map((s) => s.name)).toEqual(['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4']);
    close(scores[3]?.corpus, 0.4679585395);
    close(scores[3]?.perImage.get('1'), 0.765205883);
    close(scores[0]?.corpus, 0.8089954726);
  });

  it('clips counts, picks the closest reference length (ties → shorter), and penalizes brevity', () => {
    // "the the the": 1 clipped match of 3; reference lengths 2 and 4 are equally close → 2, no penalty.
    const r = computeBleu(new Map([['x', [words('the cat'), words('the cat is here')]]]), new Map([['x', words('the the the')]]));
    close(r.corpus[0], (1 + 1e-15) / (3 + 1e-9));
    // Exact copy of a 4-word reference scores 1 (to the smoothing); half of it is cut by brevity.
    const same = computeBleu(new Map([['x', [words('a b c d')]]]), new Map([['x', words('a b c d')]]));
    close(same.corpus[3], 1);
    const short = computeBleu(new Map([['x', [words('a b c d')]]]), new Map([['x', words('a b')]]));
    close(short.corpus[0], Math.exp(1 - 2));
    // An empty candidate scores 0 without NaN.
    expect(computeBleu(new Map([['x', [words('a b')]]]), new Map([['x', []]])).corpus).toEqual([0, 0, 0, 0]);
    expect(() => new BleuScorer(0)).toThrow(RangeError);
  });
});

describe('CIDEr-D (coco-caption cider_scorer.py)', () => {
  it('reproduces the corpus and per-image scores', () => {
    const r = new CiderDScorer().score(REFS, CANDS);
    close(r.corpus, 2.7137418083);
    close(r.perImage.get('1'), 3.575894);
    close(r.perImage.get('2'), 2.049416);
    close(r.perImage.get('3'), 2.515916);
  });

  it('gives 0 to an image scored alone (idf = log 1 − log 1)', () => {
    const id = '1';
    expect(new CiderDScorer().score(new Map([[id, REFS.get(id)!]]), new Map([[id, CANDS.get(id)!]])).corpus).toBe(0);
  });
});

describe('ROUGE-L (coco-caption rouge.py)', () => {
  it('reproduces the corpus and per-image scores', () => {
    const r = new RougeLScorer().score(REFS, CANDS);
    close(r.corpus, 0.6750107423);
    close(r.perImage.get('1'), 0.931298);
    close(r.perImage.get('2'), 0.536657);
    close(r.perImage.get('3'), 0.557078);
  });

  it('computes LCS and handles empty captions like Python split(" ")', () => {
    expect(lcsLength(words('a b c d e'), words('a c e x'))).toBe(3);
    expect(lcsLength([], words('a'))).toBe(0);
    const rouge = new RougeLScorer();
    expect(rouge.scoreOne([], [words('a b')])).toBe(0);
    expect(rouge.scoreOne([], [[]])).toBe(1);
    expect(rouge.scoreOne(words('a b'), [words('a b')])).toBeCloseTo(1, 12);
  });
});

describe('ExactMatch and the shared interface', () => {
  it('counts candidates equal to one reference', () => {
    const cands = new Map([...CANDS, ['3', words('a white plate topped with rice and vegetables')]]);
    const r = new ExactMatchScorer().score(REFS, cands);
    expect([...r.perImage]).toEqual([
      ['1', 0],
      ['2', 0],
      ['3', 1],
    ]);
    close(r.corpus, 1 / 3);
  });

  it('refuses mismatched ids and images without references', () => {
    const scorer = new ExactMatchScorer();
    expect(() => scorer.score(REFS, new Map([['1', ['a']]]))).toThrow(/2 without a candidate \("2", "3"\)/);
    expect(() =>
      scorer.score(
        new Map([['1', [['a']]]]),
        new Map([
          ['1', ['a']],
          ['9', ['b']],
        ]),
      ),
    ).toThrow(/1 without references \("9"\)/);
    expect(() => scorer.score(new Map([['1', []]]), new Map([['1', ['a']]]))).toThrow(/no reference caption/);
  });

  it('evaluateCaptions runs every default scorer; referencesOf tokenizes', () => {
    const refs = referencesOf([{ id: 'a', captions: ['A red circle.', 'A red, round circle!'] }]);
    expect(refs.get('a')).toEqual([words('a red circle'), words('a red round circle')]);
    const all = evaluateCaptions(refs, new Map([['a', words('a red circle')]]));
    expect([...all.keys()]).toEqual(defaultScorers().map((s) => s.name));
    expect([...all.keys()]).toEqual(['BLEU-1', 'BLEU-2', 'BLEU-3', 'BLEU-4', 'CIDEr-D', 'ROUGE-L', 'ExactMatch']);
    expect(all.get('ExactMatch')?.corpus).toBe(1);
    close(all.get('BLEU-3')?.corpus, 1);
    expect(all.get('BLEU-4')?.corpus).toBeLessThan(0.05); // 3 words hold no 4-gram: coco's smoothing gives ~0.03
  });
});

describe('caption statistics', () => {
  it('mean length and the share of captions ending on a function word (or empty)', async () => {
    const { captionStats } = await import('../src/eval/caption-stats.js');
    const s = captionStats([['a', 'dog', 'runs'], ['a', 'man', 'with', 'a'], [], ['two', 'cats', 'on']]);
    expect(s.meanLength).toBe(10 / 4);
    expect(s.badEndingRate).toBe(3 / 4);
    expect(captionStats([])).toEqual({ meanLength: 0, badEndingRate: 0 });
  });
});
