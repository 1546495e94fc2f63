/**
 * The self-critical reward: CIDEr-D of a sampled caption against its image's references, with the
 * document frequencies of the *training* references, computed once (not of the batch scored
 * together, as the coco-caption scorer does). The end token counts as a word in candidates and
 * references alike: without it, a fragment ("a man with a") shares all its n-grams with a reference
 * and is rewarded like a sentence; with it, only captions that end where references end match
 * their last n-grams. References' vectors are built once per image.
 */
import { END_TOKEN } from '../data/special-tokens.js';
import { ciderD, ciderVector, documentFrequencies, type CiderVector } from '../eval/cider.js';
import { ngramCounts } from '../eval/ngrams.js';

/** The word the end token is, inside rewards. */
export const END_WORD = END_TOKEN;

export class CiderReward {
  private readonly df: Map<string, number>;
  private readonly logN: number;
  private readonly refVectors = new Map<string, CiderVector[]>();

  /** `references`: every training image's tokenized reference captions (without the end token). */
  constructor(
    private readonly references: ReadonlyMap<string, readonly (readonly string[])[]>,
    readonly n = 4,
    readonly sigma = 6,
  ) {
    const counts = [...references.values()].map((refs) => refs.map((r) => ngramCounts([...r, END_WORD], n)));
    this.df = documentFrequencies(counts);
    this.logN = Math.log(Math.max(1, references.size));
  }

  private vectorsOf(image: string): CiderVector[] {
    let v = this.refVectors.get(image);
    if (!v) {
      const refs = this.references.get(image);
      if (!refs || refs.length === 0) throw new Error(`no references for image ${JSON.stringify(image)}`);
      v = refs.map((r) => ciderVector(ngramCounts([...r, END_WORD], this.n), this.df, this.logN));
      this.refVectors.set(image, v);
    }
    return v;
  }

  /** CIDEr-D of `words` (+ the end token when `finished`) for `image`. */
  score(image: string, words: readonly string[], finished: boolean): number {
    const candidate = ciderVector(ngramCounts(finished ? [...words, END_WORD] : [...words], this.n), this.df, this.logN);
    return ciderD(candidate, this.vectorsOf(image), this.n, this.sigma);
  }
}

/** The baseline of each sample: the mean reward of the *other* samples of its image (k ≥ 2). */
export function meanOfOthersBaseline(rewards: readonly number[], k: number): number[] {
  if (k < 2) throw new RangeError(`the mean-of-others baseline needs at least 2 samples per image (got ${k})`);
  return rewards.map((_, r) => {
    const first = r - (r % k);
    let sum = 0;
    for (let j = first; j < first + k; j++) sum += rewards[j]!;
    return (sum - rewards[r]!) / (k - 1);
  });
}
