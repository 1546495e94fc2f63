/**
 * Soft ("deterministic") attention, Xu et al. 2015 §4.2:
 *   e_ti = f_att(a_i, h_{t−1})        scores, one per region            (eq. 4; see `SCORING_KINDS`)
 *   α_t  = softmax(e_t) over the L regions (masked regions get weight 0)  (eq. 5)
 *   β_t  = σ(f_β(h_{t−1}))            gating scalar                      (§4.2.1)
 *   z_t  = β_t Σ_i α_ti a_i           context vector                     (eq. 6, 13)
 *
 * Whatever does not depend on t (the region projection W_a a + b, the mask) is computed once per image
 * in `prepareMemory`; `attend` does one step. Plain tfjs; where a backend runs an op faster, it does
 * so behind `dispatched` (src/fast-paths/dispatch.ts).
 */
import * as tf from '../util/tf.js';
import { dispatched } from '../fast-paths/dispatch.js';
import { matMul, stepMatMul } from '../fast-paths/ops.js';
import type { AttentionScoring } from './config.js';
import { constant } from './constant.js';
import type { DecoderParameters } from './parameters.js';

/** Added to the scores of masked regions: exp(−1e9 − max) is exactly 0 in float32. */
const MASKED_SCORE = -1e9;

/** What the scoring function needs about the images, by kind (see `SCORING_KINDS`). */
type ScoringKeys =
  | { kind: 'additive'; keys: tf.Tensor3D } // W_a a_i + b [B, L, A]
  | { kind: 'dot' } // a_i itself
  | { kind: 'general'; keys: tf.Tensor3D }; // W_k a_i [B, L, H]

/** What attention needs about one batch of images, computed once per image. */
export interface AttentionMemory {
  /** a: the annotation vectors. */
  features: tf.Tensor3D; // [B, L, D]
  scoring: ScoringKeys;
  /** 0 for visible regions, −1e9 for masked ones; null = all visible. */
  maskBias: tf.Tensor2D | null; // [B, L]
}

/** The scoring function's weights, by kind (the same at every step). */
type ScoringWeights =
  | { kind: 'additive'; U_a: tf.Tensor2D; w: tf.Tensor1D } // U_a [H, A], w [A]
  | { kind: 'dot'; W_q: tf.Tensor2D } // W_q [H, D]
  | { kind: 'general' };

/** The attention weights, by their names in the paper. */
export interface AttentionWeights {
  scoring: ScoringWeights;
  W_beta: tf.Tensor2D; // [H, 1]
  b_beta: tf.Tensor1D; // [1]
}

export interface AttentionStep {
  alpha: tf.Tensor2D; // [B, L]
  beta: tf.Tensor2D; // [B, 1]
  context: tf.Tensor2D; // [B, D]
}

/** The attention weights of `params` for `scoring`. */
export function attentionWeights(params: DecoderParameters, scoring: AttentionScoring): AttentionWeights {
  const matrix = (name: 'attention/U_a' | 'attention/W_q' | 'gate/W_beta') => params.get(name) as tf.Tensor2D;
  return {
    scoring:
      scoring === 'additive'
        ? { kind: 'additive', U_a: matrix('attention/U_a'), w: params.get('attention/w') as tf.Tensor1D }
        : scoring === 'dot'
          ? { kind: 'dot', W_q: matrix('attention/W_q') }
          : { kind: 'general' },
    W_beta: matrix('gate/W_beta'),
    b_beta: params.get('gate/b_beta') as tf.Tensor1D,
  };
}

/**
 * f_att as a one-hidden-layer MLP (the paper's): e_ti = w · tanh(k_i + q), from the keys
 * k_i = W_a a_i + b [G, L, A] and the query q = U_a h_{t−1} [G·k, A] (row g·k + j attends image g).
 */
const additiveScores = dispatched('additiveScores', (keys: tf.Tensor3D, query: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D => {
  const [G, L, A] = keys.shape;
  const k = query.shape[0] / G;
  const hidden = tf.tanh(tf.add(tf.expandDims(keys, 1), tf.reshape(query, [G, k, 1, A]))); // [G, k, L, A]  tanh(k_i + q)
  return tf.reshape(tf.sum(tf.mul(hidden, w), -1), [G * k, L]) as tf.Tensor2D; // [G·k, L]  w · tanh(…)
});

/**
 * Checks the region mask ([B, L], 1 = visible, 0 = masked) and turns it into additive score biases.
 * Every image must keep at least one visible region.
 */
function maskToBias(regionMask: tf.Tensor2D, batch: number, regions: number): tf.Tensor2D {
  const [mb, ml] = regionMask.shape;
  if (mb !== batch || ml !== regions) {
    throw new RangeError(`region mask has shape [${regionMask.shape.join(', ')}], expected [${batch}, ${regions}]`);
  }
  const minVisible = tf.tidy(() => tf.min(tf.sum(tf.cast(tf.greater(regionMask, 0), 'float32'), 1)).dataSync()[0]!);
  if (minVisible < 1) throw new RangeError('region mask hides every region of some image; keep at least one visible');
  return tf.tidy(() => tf.mul(tf.sub(1, tf.cast(tf.greater(regionMask, 0), 'float32')), MASKED_SCORE)); // [B, L]
}

/** Precomputes the step-independent parts of attention for `features` a [B, L, D]. */
export function prepareMemory(
  params: DecoderParameters,
  scoring: AttentionScoring,
  features: tf.Tensor3D,
  regionMask?: tf.Tensor2D,
): AttentionMemory {
  const [B, L, D] = features.shape;
  const maskBias = regionMask ? maskToBias(regionMask, B, L) : null; // [B, L]
  const flat = tf.reshape(features, [B * L, D]) as tf.Tensor2D; // [B·L, D]
  const project = (name: 'attention/W_a' | 'attention/W_k', bias?: 'attention/b') => {
    const projected = matMul(flat, params.get(name) as tf.Tensor2D); // [B·L, ·]
    return tf.reshape(bias ? tf.add(projected, params.get(bias)) : projected, [B, L, -1]) as tf.Tensor3D; // [B, L, ·]
  };
  switch (scoring) {
    case 'additive': {
      return { features, scoring: { kind: 'additive', keys: project('attention/W_a', 'attention/b') }, maskBias }; // [B, L, A]  W_a a_i + b
    }
    case 'dot':
      return { features, scoring: { kind: 'dot' }, maskBias };
    case 'general':
      return { features, scoring: { kind: 'general', keys: project('attention/W_k') }, maskBias }; // [B, L, H]  W_k a_i
  }
}

/** The memory of some of its images, in the order given: images [G'] int32 (a beam search dropping finished images). */
export function memoryOfImages(memory: AttentionMemory, images: tf.Tensor1D): AttentionMemory {
  const pick = <T extends tf.Tensor>(x: T): T => tf.gather(x, images) as T; // [G', …]
  const s = memory.scoring;
  const scoring: ScoringKeys = s.kind === 'dot' ? s : { kind: s.kind, keys: pick(s.keys) };
  return { features: pick(memory.features), scoring, maskBias: memory.maskBias && pick(memory.maskBias) };
}

/** Frees a memory's tensors (features included). */
export function disposeMemory(memory: AttentionMemory): void {
  const s = memory.scoring;
  tf.dispose([memory.features, ...(s.kind === 'dot' ? [] : [s.keys]), ...(memory.maskBias ? [memory.maskBias] : [])]);
}

/**
 * Rows of h per memory image: k = 1 in training; k hypotheses per image in beam search, where row
 * g·k + j of h attends over image g's memory (so the memory is never copied k times).
 */
function rowsPerImage(memory: AttentionMemory, h: tf.Tensor2D): number {
  const G = memory.features.shape[0];
  const N = h.shape[0];
  if (N % G !== 0) throw new RangeError(`attention: ${N} hidden-state rows for ${G} images`);
  return N / G;
}

/** [G, L, k] scores → [G·k, L] (one row per hypothesis). */
const perRow = (s: tf.Tensor3D, k: number): tf.Tensor2D =>
  tf.reshape(k === 1 ? s : tf.transpose(s, [0, 2, 1]), [-1, s.shape[1]]) as tf.Tensor2D;

/** e_t: one score per region from the previous hidden state h [G·k, H] → [G·k, L]. */
export function attentionScores(memory: AttentionMemory, h: tf.Tensor2D, weights: AttentionWeights): tf.Tensor2D {
  const G = memory.features.shape[0];
  const k = rowsPerImage(memory, h);
  const keys = memory.scoring;
  const weight = weights.scoring;
  if (weight.kind === 'additive' && keys.kind === 'additive') {
    return additiveScores(keys.keys, stepMatMul(h, weight.U_a), weight.w); // [G·k, L]  w · tanh(W_a a_i + b + U_a h)
  }
  if (weight.kind === 'dot') {
    const q = tf.reshape(stepMatMul(h, weight.W_q), [G, k, -1]); // [G, k, D]  W_q h
    const qT = k === 1 ? tf.reshape(q, [G, -1, 1]) : tf.transpose(q, [0, 2, 1]); // [G, D, k]
    return perRow(tf.matMul(memory.features, qT), k); // [G·k, L]  a_i · (W_q h)
  }
  if (weight.kind === 'general' && keys.kind === 'general') {
    const hk = tf.reshape(h, [G, k, -1]); // [G, k, H]
    const hT = k === 1 ? tf.reshape(hk, [G, -1, 1]) : tf.transpose(hk, [0, 2, 1]); // [G, H, k]
    return perRow(tf.matMul(keys.keys, hT), k); // [G·k, L]  (W_k a_i) · h = hᵀ W a_i
  }
  throw new Error(`attention: ${weight.kind} weights over a memory made for ${keys.kind} scoring`);
}

/** α = softmax over regions, masked regions exactly 0: scores [G·k, L], maskBias [G, L] → [G·k, L]. */
export function maskedSoftmax(scores: tf.Tensor2D, maskBias: tf.Tensor2D | null): tf.Tensor2D {
  if (!maskBias) return tf.softmax(scores); // [G·k, L]
  const [G, L] = maskBias.shape;
  const k = scores.shape[0] / G;
  const biased =
    k === 1 ? tf.add(scores, maskBias) : tf.reshape(tf.add(tf.reshape(scores, [G, k, L]), tf.expandDims(maskBias, 1)), [G * k, L]);
  return tf.softmax(biased as tf.Tensor2D); // [G·k, L]
}

/** β = σ(W_β h + b_β): h [N, H] → [N, 1]. */
export function gatingScalar(h: tf.Tensor2D, weights: AttentionWeights): tf.Tensor2D {
  return tf.sigmoid(tf.add<tf.Tensor2D>(stepMatMul(h, weights.W_beta), weights.b_beta)); // [N, 1]
}

/** Σ_i α_i a_i: alpha [G·k, L], features [G, L, D] → [G·k, D]. */
const attendedSum = dispatched('attendedSum', (alpha: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor2D => {
  const [G, L, D] = features.shape;
  const k = alpha.shape[0] / G;
  return tf.reshape(tf.matMul(tf.reshape(alpha, [G, k, L]), features), [G * k, D]) as tf.Tensor2D; // [G·k, D]  [G,k,L]×[G,L,D]
});

/** z = β Σ_i α_i a_i: alpha [G·k, L], beta [G·k, 1], features [G, L, D] → [G·k, D]. */
export function contextVector(alpha: tf.Tensor2D, beta: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor2D {
  return tf.mul(beta, attendedSum(alpha, features)); // [G·k, D]
}

/**
 * Which regions the context is made of, given α [N, L] → weights [N, L]: soft attention uses α itself
 * (the expectation, eq. 13); hard attention one region, sampled from α or its argmax (§4.1).
 */
export type RegionSelector = (alpha: tf.Tensor2D) => tf.Tensor2D;

/**
 * s ~ Multinoulli(α) per row, as one-hot rows [N, L] (Gumbel-max: argmax_i log α_i + g_i, g seeded).
 * The draw is not differentiated (α enters as a constant: log 0 of a masked region has no gradient).
 */
export function sampleRegions(seed: number): RegionSelector {
  return (alpha) => {
    const u = tf.randomUniform(alpha.shape, 1e-7, 1 - 1e-6, 'float32', seed); // [N, L]  (float32 never rounds it to 0 or 1)
    const gumbel = tf.neg(tf.log(tf.neg(tf.log(u)))); // [N, L]
    return oneHotRows(tf.argMax(tf.add(tf.log(constant(alpha)), gumbel), 1) as tf.Tensor1D, alpha.shape[1]); // [N, L]
  };
}

/** The most attended region per row, as one-hot rows [N, L]. */
export const argmaxRegion: RegionSelector = (alpha) => oneHotRows(tf.argMax(alpha, 1) as tf.Tensor1D, alpha.shape[1]);

/** Given regions per row (tests: every path of a tiny model), as one-hot rows. */
export const givenRegions =
  (regions: readonly number[]): RegionSelector =>
  (alpha) =>
    oneHotRows(tf.tensor1d(regions as number[], 'int32'), alpha.shape[1]);

/** (WASM's OneHot returns zeros when asked for float32 directly: make int32, then cast.) */
const oneHotRows = (ids: tf.Tensor1D, L: number): tf.Tensor2D => tf.cast(tf.oneHot(ids, L), 'float32') as tf.Tensor2D; // [N, L]

/**
 * One attention step from h_{t−1} [G·k, H] over the memory of G images. `select` picks the regions
 * the context is made of (default: soft attention, z = β Σ_i α_i a_i); `regions` is what it picked.
 */
export function attend(
  memory: AttentionMemory,
  h: tf.Tensor2D,
  weights: AttentionWeights,
  select?: RegionSelector,
): AttentionStep & { regions: tf.Tensor2D } {
  const alpha = maskedSoftmax(attentionScores(memory, h, weights), memory.maskBias); // [G·k, L]
  const beta = gatingScalar(h, weights); // [G·k, 1]
  const regions = select ? select(alpha) : alpha; // [G·k, L]
  return { alpha, beta, regions, context: contextVector(regions, beta, memory.features) }; // context [G·k, D]
}
