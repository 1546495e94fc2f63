/**
 * ROUGE-L exactly as coco-caption's `rouge/rouge.py`: for each reference the longest common
 * subsequence (LCS) with the candidate gives precision LCS/|cand| and recall LCS/|ref|; the best
 * precision and the best recall (each maximised separately over the references) combine as
 * F = (1 + β²)·P·R / (R + β²·P), β = 1.2 (0 if either is 0). Corpus = mean over images.
 * An empty caption counts as one empty word, as Python's `"".split(" ")` makes it.
 */
import { checkedIds, mean, type Candidates, type MetricScore, type References, type Scorer } from './scorer.js';

export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Array<number>(short.length + 1).fill(0);
  for (const x of long) {
    const cur = [0];
    for (let j = 1; j <= short.length; j++) {
      cur.push(x === short[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, cur[j - 1] ?? 0));
    }
    prev = cur;
  }
  return prev[short.length] ?? 0;
}

const asSplit = (words: readonly string[]): readonly string[] => (words.length === 0 ? [''] : words);

export class RougeLScorer implements Scorer {
  readonly name = 'ROUGE-L';

  constructor(readonly beta = 1.2) {}

  /** One image's ROUGE-L. */
  scoreOne(cand: readonly string[], refs: readonly (readonly string[])[]): number {
    const c = asSplit(cand);
    let pMax = 0;
    let rMax = 0;
    for (const ref of refs) {
      const r = asSplit(ref);
      const lcs = lcsLength(r, c);
      pMax = Math.max(pMax, lcs / c.length);
      rMax = Math.max(rMax, lcs / r.length);
    }
    if (pMax === 0 || rMax === 0) return 0;
    const b2 = this.beta * this.beta;
    return ((1 + b2) * pMax * rMax) / (rMax + b2 * pMax);
  }

  score(refs: References, cands: Candidates): MetricScore {
    const perImage = new Map(checkedIds(refs, cands).map((id) => [id, this.scoreOne(cands.get(id) ?? [], refs.get(id) ?? [])]));
    return { corpus: mean([...perImage.values()]), perImage };
  }
}
