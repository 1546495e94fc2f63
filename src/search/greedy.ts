/**
 * Greedy decoding: at every step take the most probable word, for all images in one batch. A caption
 * ends at <end>, or is cut after `maxLength` words (then `finished` is false).
 */
import type * as tf from '@tensorflow/tfjs';
import { alphaRow, readStep } from './read-step.js';
import { lengthNormalizedScore } from './scoring.js';
import { resolveSearchOptions, type DecodedCaption, type DecodedWord, type SearchOptions, type StepModel } from './types.js';

export function greedyDecode<S>(model: StepModel<S>, features: tf.Tensor3D, options: SearchOptions = {}): DecodedCaption[] {
  const o = resolveSearchOptions(options);
  const B = features.shape[0];
  const suppressed = new Set(o.suppressTokens);
  const words: DecodedWord[][] = Array.from({ length: B }, () => []);
  const logProb = new Array<number>(B).fill(0);
  const finished = new Array<boolean>(B).fill(false);
  const done = new Array<boolean>(B).fill(false);
  const prev = new Array<number>(B).fill(o.startToken);
  let state = model.initState(features, o.regionMask, o.context);
  try {
    // Step t chooses word t + 1; the step after the last allowed word can only end the caption.
    for (let t = 0; t <= o.maxLength && done.includes(false); t++) {
      const out = model.step(state, prev);
      model.disposeState(state);
      state = out.state;
      const s = readStep(out);
      const V = s.vocabSize;
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        let best = -1;
        let bestLp = -Infinity;
        for (let v = 0; v < V; v++) {
          const lp = s.logProbs[b * V + v]!;
          if (lp > bestLp && !suppressed.has(v)) {
            best = v;
            bestLp = lp;
          }
        }
        if (best === o.endToken) {
          logProb[b]! += bestLp;
          finished[b] = true;
          done[b] = true;
        } else if (t === o.maxLength || best < 0) {
          done[b] = true; // cut at maxLength words
        } else {
          words[b]!.push({ token: best, alpha: alphaRow(s, b), beta: s.beta[b]!, logProb: bestLp });
          logProb[b]! += bestLp;
          prev[b] = best;
        }
      }
    }
  } finally {
    model.disposeState(state);
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
