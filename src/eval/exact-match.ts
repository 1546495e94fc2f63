/** Exact match: 1 for an image whose candidate equals one of its references word for word, else 0;
 * corpus = the fraction of such images. The metric the shapes set (one fixed-grammar caption) is for. */
import { checkedIds, mean, type Candidates, type MetricScore, type References, type Scorer } from './scorer.js';

const sameWords = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((w, i) => w === b[i]);

export class ExactMatchScorer implements Scorer {
  readonly name = 'ExactMatch';

  score(refs: References, cands: Candidates): MetricScore {
    const perImage = new Map(
      checkedIds(refs, cands).map((id) => {
        const cand = cands.get(id) ?? [];
        return [id, (refs.get(id) ?? []).some((r) => sameWords(r, cand)) ? 1 : 0];
      }),
    );
    return { corpus: mean([...perImage.values()]), perImage };
  }
}
