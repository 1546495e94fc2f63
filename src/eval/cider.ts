/**
 * CIDEr-D exactly as coco-caption's `cider/cider_scorer.py` (n = 4, σ = 6):
 *  - document frequency df(g) = number of evaluated images whose references contain n-gram g; the
 *    idf is log(N) − log(max(1, df)) with N the number of evaluated images (so scores depend on the
 *    set scored together: one image scored alone gets 0);
 *  - per n: TF-IDF vectors of candidate and each reference, "clipped" cosine
 *    Σ min(v_c, v_r)·v_r / (|v_c|·|v_r|), times the length penalty exp(−Δ²/(2σ²)) = exp(−Δ²/72);
 *  - per image: mean over n, mean over references, × 10; corpus = mean over images.
 * Δ follows the original code, which counts a caption's length as its number of *bigrams* (words − 1;
 * it differs from words only for empty captions). The TF in the vectors is the raw count.
 */
import { ngramCounts } from './ngrams.js';
import { checkedIds, mean, type Candidates, type MetricScore, type References, type Scorer } from './scorer.js';

/** A caption's TF-IDF vectors, one per n-gram order, with their norms and its length (in bigrams). */
export interface CiderVector {
  /** vec[k]: (k+1)-gram → tf·idf. */
  vec: Map<string, number>[];
  norm: number[];
  length: number;
}

/** df(g): in how many images' references n-gram g occurs (each image counted once). */
export function documentFrequencies(perImageRefCounts: Iterable<readonly Map<string, number>[][]>): Map<string, number> {
  const df = new Map<string, number>();
  for (const perRef of perImageRefCounts) {
    const inImage = new Set<string>();
    for (const counts of perRef) for (const byOrder of counts) for (const g of byOrder.keys()) inImage.add(g);
    for (const g of inImage) df.set(g, (df.get(g) ?? 0) + 1);
  }
  return df;
}

/** TF-IDF vectors of one caption's n-gram counts; idf = log N − log max(1, df). */
export function ciderVector(counts: Map<string, number>[], df: ReadonlyMap<string, number>, logN: number): CiderVector {
  const norm: number[] = [];
  const vec = counts.map((byOrder) => {
    const v = new Map<string, number>();
    let sq = 0;
    for (const [g, tf] of byOrder) {
      const w = tf * (logN - Math.log(Math.max(1, df.get(g) ?? 0)));
      v.set(g, w);
      sq += w * w;
    }
    norm.push(Math.sqrt(sq));
    return v;
  });
  let length = 0;
  for (const tf of counts[1]?.values() ?? []) length += tf; // bigrams, as the original
  return { vec, norm, length };
}

/** Per n: the clipped cosine of candidate and reference, times the length penalty. */
function ciderSimilarity(c: CiderVector, r: CiderVector, sigma: number): number[] {
  const delta = c.length - r.length;
  const penalty = Math.exp(-(delta * delta) / (2 * sigma * sigma));
  return c.vec.map((cv, k) => {
    const rv = r.vec[k] as Map<string, number>;
    let val = 0;
    for (const [g, w] of cv) {
      const wr = rv.get(g) ?? 0;
      val += Math.min(w, wr) * wr;
    }
    const nc = c.norm[k] ?? 0;
    const nr = r.norm[k] ?? 0;
    if (nc !== 0 && nr !== 0) val /= nc * nr;
    return val * penalty;
  });
}

/** CIDEr-D of one candidate against its references' vectors: mean over n and references, × 10. */
export function ciderD(candidate: CiderVector, refs: readonly CiderVector[], n: number, sigma: number): number {
  const sums = new Array<number>(n).fill(0);
  for (const r of refs) ciderSimilarity(candidate, r, sigma).forEach((v, k) => (sums[k] = (sums[k] ?? 0) + v));
  return (mean(sums) / refs.length) * 10;
}

export class CiderDScorer implements Scorer {
  readonly name = 'CIDEr-D';

  constructor(
    readonly n = 4,
    readonly sigma = 6,
  ) {}

  score(refs: References, cands: Candidates): MetricScore {
    const ids = checkedIds(refs, cands);
    const refCounts = new Map(ids.map((id) => [id, (refs.get(id) ?? []).map((r) => ngramCounts(r, this.n))]));
    const df = documentFrequencies(refCounts.values());
    const logN = Math.log(ids.length);
    const perImage = new Map<string, number>();
    for (const id of ids) {
      const c = ciderVector(ngramCounts(cands.get(id) ?? [], this.n), df, logN);
      perImage.set(
        id,
        ciderD(
          c,
          (refCounts.get(id) ?? []).map((r) => ciderVector(r, df, logN)),
          this.n,
          this.sigma,
        ),
      );
    }
    return { corpus: mean([...perImage.values()]), perImage };
  }
}
