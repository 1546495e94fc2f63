/**
 * BLEU-1..4 exactly as coco-caption's `bleu/bleu_scorer.py` computes it with `option='closest'`:
 * clipped n-gram counts against the per-n-gram maximum over the references; corpus precision from the
 * summed counts of all images; the reference length per image is the one closest to the candidate's
 * (ties → the shorter); brevity penalty exp(1 − r/c) when c < r; smoothing `tiny = 1e-15` in
 * numerators and `small = 1e-9` in denominators. Per-image scores are computed the same way from one
 * image's counts (coco-caption's second return value). BLEU-n is the geometric mean of p1..pn.
 */
import { ngramCounts } from './ngrams.js';
import { checkedIds, type Candidates, type MetricScore, type References, type Scorer } from './scorer.js';

const TINY = 1e-15;
const SMALL = 1e-9;
const BLEU_MAX_N = 4;

interface Cooked {
  testLen: number;
  refLen: number;
  /** guess[k]: number of (k+1)-grams in the candidate; correct[k]: how many are matched (clipped). */
  guess: number[];
  correct: number[];
}

function cook(cand: readonly string[], refs: readonly (readonly string[])[], n: number): Cooked {
  const maxCounts = Array.from({ length: n }, () => new Map<string, number>());
  for (const ref of refs) {
    ngramCounts(ref, n).forEach((counts, k) => {
      const max = maxCounts[k] as Map<string, number>;
      for (const [g, c] of counts) max.set(g, Math.max(max.get(g) ?? 0, c));
    });
  }
  const testLen = cand.length;
  // 'closest': min over (|l − c|, l), so ties go to the shorter reference.
  let refLen = Infinity;
  for (const { length: l } of refs) {
    if (Math.abs(l - testLen) < Math.abs(refLen - testLen) || (Math.abs(l - testLen) === Math.abs(refLen - testLen) && l < refLen))
      refLen = l;
  }
  const correct = ngramCounts(cand, n).map((counts, k) => {
    let sum = 0;
    for (const [g, c] of counts) sum += Math.min(maxCounts[k]?.get(g) ?? 0, c);
    return sum;
  });
  const guess = Array.from({ length: n }, (_, k) => Math.max(0, testLen - k));
  return { testLen, refLen, guess, correct };
}

/** BLEU-1..n from summed counts (one image's or the corpus's). */
function bleuFrom(c: Cooked, n: number): number[] {
  const out: number[] = [];
  let product = 1;
  for (let k = 0; k < n; k++) {
    product *= ((c.correct[k] ?? 0) + TINY) / ((c.guess[k] ?? 0) + SMALL);
    out.push(product ** (1 / (k + 1)));
  }
  const ratio = (c.testLen + TINY) / (c.refLen + SMALL);
  if (ratio < 1) return out.map((b) => b * Math.exp(1 - 1 / ratio));
  return out;
}

export interface BleuResult {
  /** corpus[k] = BLEU-(k+1). */
  corpus: number[];
  /** perImage.get(id)[k] = that image's BLEU-(k+1). */
  perImage: Map<string, number[]>;
}

/** All of BLEU-1..n in one pass (n ≤ 4 as coco-caption reports; any n works). */
export function computeBleu(refs: References, cands: Candidates, n = BLEU_MAX_N): BleuResult {
  const total: Cooked = { testLen: 0, refLen: 0, guess: new Array<number>(n).fill(0), correct: new Array<number>(n).fill(0) };
  const perImage = new Map<string, number[]>();
  for (const id of checkedIds(refs, cands)) {
    const c = cook(cands.get(id) ?? [], refs.get(id) ?? [], n);
    total.testLen += c.testLen;
    total.refLen += c.refLen;
    for (let k = 0; k < n; k++) {
      total.guess[k] = (total.guess[k] ?? 0) + (c.guess[k] ?? 0);
      total.correct[k] = (total.correct[k] ?? 0) + (c.correct[k] ?? 0);
    }
    perImage.set(id, bleuFrom(c, n));
  }
  return { corpus: bleuFrom(total, n), perImage };
}

/** BLEU-n as a Scorer (`bleuScorers()` gives BLEU-1..4). */
export class BleuScorer implements Scorer {
  readonly name: string;

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`BLEU order must be an integer ≥ 1, got ${n}`);
    this.name = `BLEU-${n}`;
  }

  score(refs: References, cands: Candidates): MetricScore {
    const r = computeBleu(refs, cands, this.n);
    const k = this.n - 1;
    return { corpus: r.corpus[k] ?? 0, perImage: new Map([...r.perImage].map(([id, b]) => [id, b[k] ?? 0])) };
  }
}

export const bleuScorers = (): BleuScorer[] => [1, 2, 3, 4].map((n) => new BleuScorer(n));
