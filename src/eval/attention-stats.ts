/**
 * Attention sanity on real photos: is α sharper for the words that name things than for function
 * words, and does the map change from word to word (the common failure is one map for every word)?
 * - entropy of α in nats (uniform over L = 196 cells: ln 196 ≈ 5.28);
 * - word classes by lexicon: FUNCTION_WORDS (closed class) and NOUNS (frequent Flickr8k nouns); we have
 *   no part-of-speech tagger, so words in neither list are counted as "other";
 * - distinctness: mean total-variation distance ½ Σ|α_t − α_{t+1}| between consecutive words' maps
 *   (0: identical maps, 1: disjoint).
 */
const FUNCTION_WORDS = new Set(
  'a an the of in on at to with and or is are while into through for from by its his her their as near under over up down out off onto'.split(
    ' ',
  ),
);

const NOUNS = new Set(
  (
    'dog dogs man men woman women boy boys girl girls child children people person baby water ball grass street shirt snow ' +
    'field beach camera bike bicycle air rock rocks building hat jacket sand mountain pool crowd road table car stairs wall ' +
    'trail shorts player players ocean river lake hill park area head mouth toy stick hair picture background outfit dress ' +
    'uniform bench sidewalk city fountain wave waves horse soccer football basketball tree trees track tennis team game ' +
    'ramp skateboard skateboarder surfer surfboard swing slide sky sun leash frisbee fence dirt mud puppy cat bird'
  ).split(' '),
);

export type WordClass = 'noun' | 'function' | 'other';

export function wordClass(word: string): WordClass {
  if (NOUNS.has(word)) return 'noun';
  if (FUNCTION_WORDS.has(word)) return 'function';
  return 'other';
}

export function entropy(alpha: readonly number[]): number {
  let h = 0;
  for (const p of alpha) if (p > 0) h -= p * Math.log(p);
  return h;
}

export function totalVariation(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d / 2;
}

export interface AttentionStats {
  /** Mean entropy (nats) and count per word class. */
  entropy: Record<WordClass, { mean: number; words: number }>;
  /** Mean total-variation distance between consecutive words' maps. */
  consecutiveDistance: number;
  /** ln L: the entropy of uniform attention. */
  uniformEntropy: number;
}

export function attentionStats(captions: readonly { words: readonly { word: string; alpha: readonly number[] }[] }[]): AttentionStats {
  const sums: Record<WordClass, { total: number; words: number }> = {
    noun: { total: 0, words: 0 },
    function: { total: 0, words: 0 },
    other: { total: 0, words: 0 },
  };
  let distance = 0;
  let pairs = 0;
  let regions = 0;
  for (const c of captions) {
    c.words.forEach((w, t) => {
      regions = w.alpha.length;
      const s = sums[wordClass(w.word)];
      s.total += entropy(w.alpha);
      s.words += 1;
      if (t > 0) {
        distance += totalVariation(c.words[t - 1]!.alpha, w.alpha);
        pairs += 1;
      }
    });
  }
  const mean = (s: { total: number; words: number }) => ({ mean: s.words ? s.total / s.words : 0, words: s.words });
  return {
    entropy: { noun: mean(sums.noun), function: mean(sums.function), other: mean(sums.other) },
    consecutiveDistance: pairs ? distance / pairs : 0,
    uniformEntropy: Math.log(Math.max(regions, 1)),
  };
}
