/**
 * Constrained beam search (Anderson et al. 2017, as the nocaps baseline uses it) for one disjunctive
 * constraint per image: the caption must contain one of a set of words (a class's word forms, e.g.
 * giraffe | giraffes). Two beams per image, one per constraint state — 0: no constraint word yet,
 * 1: one seen — each keeping its k best hypotheses:
 *   state 1 ← state-1 hypotheses + any word, and state-0 hypotheses + a constraint word;
 *   state 0 ← state-0 hypotheses + any other word.
 * A hypothesis that ends (<end>) in state 1 is a finished constrained caption; the answer is the best
 * of them by the length-normalised score; with none (the constraint never fit), the best state-0 one.
 * Images without a constraint are not searched here (use beamSearch). All images' rows go through the
 * model together, one step per word.
 */
import * as tf from '../util/tf.js';
import { readStep } from './read-step.js';
import { lengthNormalizedScore } from './scoring.js';
import { resolveSearchOptions, type BeamSearchOptions, type DecodedCaption, type DecodedWord, type StepModel } from './types.js';

interface Hyp {
  logProb: number;
  words: DecodedWord[];
}

interface ImageState {
  /** Live hypotheses of state 0 and state 1. */
  live: [Hyp[], Hyp[]];
  finished: [DecodedCaption[], DecodedCaption[]];
  allowed: Set<number>;
}

/**
 * Captions of `features` ([B, L, D]) each containing one word of `constraints[b]` (token ids; every
 * image must have a non-empty set). Options as beamSearch's; beamSize is k per constraint state.
 */
export function constrainedBeamSearch<S>(
  model: StepModel<S>,
  features: tf.Tensor3D,
  constraints: readonly (readonly number[])[],
  options: BeamSearchOptions = {},
): DecodedCaption[] {
  const o = resolveSearchOptions(options);
  const k = options.beamSize ?? 3;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`beamSize must be a positive integer (got ${k})`);
  const B = features.shape[0];
  if (constraints.length !== B || constraints.some((c) => c.length === 0))
    throw new RangeError('constrainedBeamSearch: one non-empty constraint per image');
  const suppressed = new Set(o.suppressTokens);
  const images: ImageState[] = constraints.map((c) => ({
    live: [[{ logProb: 0, words: [] }], []],
    finished: [[], []],
    allowed: new Set(c),
  }));
  const finish = (h: Hyp, lp: number, done: boolean): DecodedCaption => ({
    tokens: h.words.map((w) => w.token),
    words: h.words,
    logProb: lp,
    score: lengthNormalizedScore(lp, h.words.length + (done ? 1 : 0), o.lengthPenalty),
    finished: done,
  });

  // Rows of the state: for each image, its state-0 then state-1 live hypotheses.
  let rows: { b: number; s: 0 | 1; j: number }[] = images.map((_, b) => ({ b, s: 0 as const, j: 0 }));
  let state = model.initState(features, o.regionMask, o.contextMode);
  try {
    for (let t = 0; t <= o.maxLength && rows.length > 0; t++) {
      const out = model.step(
        state,
        rows.map((r) => (t === 0 ? o.startToken : images[r.b]!.live[r.s][r.j]!.words.at(-1)!.token)),
      );
      model.disposeState(state);
      state = out.state;
      const step = readStep({ ...out, state: undefined });
      const V = step.vocabSize;
      const L = step.regions;
      // Per image and target state: candidate extensions (row, token, cumulative log p).
      type Cand = { row: number; token: number; lp: number };
      const cands = images.map(() => [[], []] as [Cand[], Cand[]]);
      // Each row's best `keep` words (enough for both states' top 2k), then the constraint words
      // from state-0 rows (they may be far down the list and still be state 1's best).
      rows.forEach((r, row) => {
        const img = images[r.b]!;
        const base = img.live[r.s][r.j]!.logProb;
        const keep = 2 * k + img.allowed.size + 1;
        const top: { v: number; lp: number }[] = [];
        let floor = -Infinity;
        const offset = row * V;
        for (let v = 0; v < V; v++) {
          const lp = step.logProbs[offset + v]!;
          if (!(lp > floor) || suppressed.has(v)) continue;
          let i = top.length === keep ? keep - 1 : top.length;
          if (top.length < keep) top.push({ v, lp });
          while (i > 0 && top[i - 1]!.lp < lp) {
            top[i] = top[i - 1]!;
            i--;
          }
          top[i] = { v, lp };
          if (top.length === keep) floor = top[keep - 1]!.lp;
        }
        const seen = new Set(top.map((x) => x.v));
        if (r.s === 0) for (const v of img.allowed) if (!seen.has(v) && !suppressed.has(v)) top.push({ v, lp: step.logProbs[offset + v]! });
        for (const { v, lp: wordLp } of top) {
          const lp = base + wordLp;
          if (!(lp > -Infinity)) continue;
          const target = r.s === 1 || img.allowed.has(v) ? 1 : 0;
          if (v === o.endToken && target !== r.s) continue;
          cands[r.b]![target].push({ row, token: v, lp });
        }
      });
      const nextRows: { b: number; s: 0 | 1; j: number; from: number }[] = [];
      images.forEach((img, b) => {
        const nextLive: [Hyp[], Hyp[]] = [[], []];
        for (const s of [0, 1] as const) {
          const list = cands[b]![s].sort((x, y) => y.lp - x.lp || x.token - y.token).slice(0, 2 * k);
          const next: Hyp[] = [];
          for (const [rank, c] of list.entries()) {
            const r = rows[c.row]!;
            const parent = img.live[r.s][r.j]!;
            if (c.token === o.endToken) {
              if (rank < k) img.finished[s].push(finish(parent, c.lp, true));
            } else if (t < o.maxLength && next.length < k) {
              const word: DecodedWord = {
                token: c.token,
                alpha: Array.from(step.alpha.subarray(c.row * L, (c.row + 1) * L)),
                beta: step.beta[c.row]!,
                logProb: c.lp - parent.logProb,
              };
              next.push({ logProb: c.lp, words: [...parent.words, word] });
              nextRows.push({ b, s, j: next.length - 1, from: c.row });
            }
          }
          if (t === o.maxLength && img.finished[s].length === 0)
            for (const h of img.live[s]) img.finished[s].push(finish(h, h.logProb, false));
          nextLive[s] = next;
        }
        img.live = nextLive; // after both states: their candidates' parents are this step's hypotheses
      });
      // An image is done once state 1 has k finished captions no live state-1 hypothesis can beat.
      const bound = (lp: number) => (o.lengthPenalty === 0 ? lp : lp / (o.maxLength + 1) ** o.lengthPenalty);
      const keep = nextRows.filter((r) => {
        const img = images[r.b]!;
        const done1 = img.finished[1].map((h) => h.score).sort((x, y) => y - x);
        const bestLive1 = img.live[1][0]?.logProb ?? -Infinity;
        return !(done1.length >= k && bound(bestLive1) <= done1[k - 1]!);
      });
      if (keep.length === 0) break;
      const reordered = model.selectRows(
        state,
        keep.map((r) => r.from),
      );
      model.disposeState(state);
      state = reordered;
      rows = keep.map(({ b, s, j }) => ({ b, s, j }));
    }
  } finally {
    model.disposeState(state);
  }
  return images.map((img) => {
    const pool = img.finished[1].length ? img.finished[1] : img.finished[0];
    return (
      [...pool].sort((x, y) => y.score - x.score)[0] ?? { tokens: [], words: [], logProb: -Infinity, score: -Infinity, finished: false }
    );
  });
}
