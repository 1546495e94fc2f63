/**
 * One interface for every caption metric, like coco-caption's `compute_score(gts, res)`: references
 * and candidates keyed by image id, already tokenized (see `tokenize`), one candidate per image.
 */

/** Image id → its reference captions, each a list of words. */
export type References = ReadonlyMap<string, readonly (readonly string[])[]>;
/** Image id → the candidate caption's words. */
export type Candidates = ReadonlyMap<string, readonly string[]>;

export interface MetricScore {
  /** The corpus score as coco-caption reports it (for most metrics: the mean of `perImage`). */
  corpus: number;
  perImage: Map<string, number>;
}

export interface Scorer {
  /** As reported: "BLEU-4", "CIDEr-D", "ROUGE-L", "ExactMatch". */
  readonly name: string;
  score(refs: References, cands: Candidates): MetricScore;
}

/** The ids to score, in `refs` order; throws unless both maps hold the same ids and every image has
 * at least one reference (coco-caption asserts the same). */
export function checkedIds(refs: References, cands: Candidates): string[] {
  const ids = [...refs.keys()];
  const missing = ids.filter((id) => !cands.has(id));
  const extra = [...cands.keys()].filter((id) => !refs.has(id));
  if (missing.length > 0 || extra.length > 0) {
    const show = (xs: string[]): string =>
      xs
        .slice(0, 3)
        .map((x) => JSON.stringify(x))
        .join(', ') + (xs.length > 3 ? ', …' : '');
    throw new Error(
      `references and candidates must cover the same images` +
        (missing.length ? `; ${missing.length} without a candidate (${show(missing)})` : '') +
        (extra.length ? `; ${extra.length} without references (${show(extra)})` : ''),
    );
  }
  for (const id of ids) if ((refs.get(id) ?? []).length === 0) throw new Error(`image ${JSON.stringify(id)} has no reference caption`);
  return ids;
}

export const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
