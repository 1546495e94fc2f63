/**
 * Greedy decoding: at every step take the most probable word, for all images in one batch. A caption
 * ends at <end>, or is cut after `maxLength` words (then `finished` is false).
 */
import type * as tf from '../util/tf.js';
import { alphaRow, readTopWords, suppressionBias } from './read-step.js';
import { COMPACT_WHEN } from './compaction.js';
import { lengthNormalizedScore } from './scoring.js';
import { resolveSearchOptions, type DecodedCaption, type DecodedWord, type SearchOptions, type StepModel } from './types.js';

export function greedyDecode<S>(model: StepModel<S>, features: tf.Tensor3D, options: SearchOptions = {}): DecodedCaption[] {
  const o = resolveSearchOptions(options);
  const B = features.shape[0];
  const words: DecodedWord[][] = Array.from({ length: B }, () => []);
  const logProb = new Array<number>(B).fill(0);
  const finished = new Array<boolean>(B).fill(false);
  const done = new Array<boolean>(B).fill(false);
  // Row g of the state decodes image order[g]; finished images leave once at most COMPACT_WHEN of the rows are live.
  let order = words.map((_, b) => b);
  let prev = new Array<number>(B).fill(o.startToken);
  let suppressed: tf.Tensor1D | null = null;
  let state = model.initState(features, o.regionMask, o.contextMode);
  try {
    // Step t chooses word t + 1; the step after the last allowed word can only end the caption.
    for (let t = 0; t <= o.maxLength; t++) {
      const out = model.step(state, prev);
      model.disposeState(state);
      state = out.state;
      suppressed ??= suppressionBias(o.suppressTokens, out.logProbs.shape[1]);
      const s = readTopWords(out, 1, suppressed);
      order.forEach((b, g) => {
        if (done[b]) return;
        const best = s.ids[g]!;
        const bestLp = s.values[g]!;
        if (!(bestLp > -Infinity)) {
          done[b] = true; // every word suppressed
        } else if (best === o.endToken) {
          logProb[b]! += bestLp;
          finished[b] = true;
          done[b] = true;
        } else if (t === o.maxLength) {
          done[b] = true; // cut at maxLength words
        } else {
          words[b]!.push({ token: best, alpha: alphaRow(s, g), beta: s.beta[g]!, logProb: bestLp });
          logProb[b]! += bestLp;
        }
      });
      const rows = order.map((_, g) => g).filter((g) => !done[order[g]!]);
      if (rows.length === 0) break;
      const kept = rows.length <= COMPACT_WHEN * order.length ? rows : order.map((_, g) => g);
      prev = kept.map((g) => words[order[g]!]!.at(-1)?.token ?? o.endToken);
      if (kept.length < order.length) {
        const cut = model.selectRows(state, kept);
        model.disposeState(state);
        state = cut;
        order = kept.map((g) => order[g]!);
      }
    }
  } finally {
    model.disposeState(state);
    suppressed?.dispose();
  }
  return words.map((w, b) => {
    const steps = w.length + (finished[b] ? 1 : 0);
    return {
      tokens: w.map((x) => x.token),
      words: w,
      logProb: logProb[b]!,
      score: lengthNormalizedScore(logProb[b]!, steps, o.lengthPenalty),
      finished: finished[b]!,
    };
  });
}
