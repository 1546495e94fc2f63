/**
 * Sampling captions (for self-critical training): k captions per image, each word drawn from the
 * model's distribution p(w | image, previous words) — multinomial, not the argmax — with the
 * suppressed tokens (<pad>, <start>, <unk>) given no mass. One seeded generator per call draws in a
 * fixed order (row by row, step by step), so the same seed gives the same captions: a resumed
 * training run samples exactly what the uncut one did.
 */
import type * as tf from '../util/tf.js';
import { mulberry32 } from '../util/random.js';
import { readStep } from './read-step.js';
import { resolveSearchOptions, type SearchOptions, type StepModel } from './types.js';

export interface SampleOptions extends SearchOptions {
  /** Captions per image (k). */
  samples: number;
  /** Seeds the draws (vary it per training step). */
  seed: number;
}

export interface SampledCaption {
  /** Row b·k + j: image b, sample j. */
  image: number;
  /** Word ids, without <start> and <end>. */
  tokens: number[];
  /** Whether <end> was drawn (false: cut at maxLength words). */
  finished: boolean;
}

export function sampleCaptions<S>(model: StepModel<S>, features: tf.Tensor3D, options: SampleOptions): SampledCaption[] {
  const o = resolveSearchOptions(options);
  const k = options.samples;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`samples must be a positive integer (got ${k})`);
  const B = features.shape[0];
  const N = B * k;
  const rng = mulberry32(options.seed);
  const suppressed = new Set(o.suppressTokens);
  const out: SampledCaption[] = Array.from({ length: N }, (_, r) => ({ image: Math.floor(r / k), tokens: [], finished: false }));
  const done = new Array<boolean>(N).fill(false);
  const prev = new Array<number>(N).fill(o.startToken);
  const initial = model.initState(features, o.regionMask, o.contextMode);
  let state: S;
  try {
    state = model.selectRows(
      initial,
      out.map((c) => c.image),
    ); // row b·k + j ← image b
  } finally {
    model.disposeState(initial);
  }
  try {
    for (let t = 0; t <= o.maxLength && done.includes(false); t++) {
      const step = model.step(state, prev);
      model.disposeState(state);
      state = step.state;
      const s = readStep(step);
      const V = s.vocabSize;
      for (let r = 0; r < N; r++) {
        if (done[r]) continue;
        const token = draw(s.logProbs, r * V, V, suppressed, rng(), t === o.maxLength ? o.endToken : undefined);
        if (token === o.endToken) {
          out[r]!.finished = true;
          done[r] = true;
        } else if (t === o.maxLength || token < 0) {
          done[r] = true;
        } else {
          out[r]!.tokens.push(token);
          prev[r] = token;
        }
      }
    }
  } finally {
    model.disposeState(state);
  }
  return out;
}

/**
 * One token from the distribution exp(logProbs[base .. base + V)) without the suppressed ids
 * (renormalised), by inverting its CDF at u ∈ [0, 1). At the step after the last allowed word only
 * `only` (the end token) may come: the caption is then cut, as in greedy search, unless it ends.
 */
function draw(
  logProbs: Float32Array,
  base: number,
  V: number,
  suppressed: ReadonlySet<number>,
  u: number,
  only: number | undefined,
): number {
  let total = 0;
  for (let v = 0; v < V; v++) if (!suppressed.has(v)) total += Math.exp(logProbs[base + v]!);
  if (!(total > 0)) return -1;
  let acc = 0;
  const target = u * total;
  let last = -1;
  for (let v = 0; v < V; v++) {
    if (suppressed.has(v)) continue;
    acc += Math.exp(logProbs[base + v]!);
    last = v;
    if (acc > target) return only === undefined || v === only ? v : -1;
  }
  return only === undefined || last === only ? last : -1; // rounding: the last allowed token
}
