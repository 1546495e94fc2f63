/**
 * Soft ("deterministic") attention, Xu et al. 2015 §4.2:
 *   e_ti = f_att(a_i, h_{t−1})        scores, one per region            (see `SCORING_KINDS`)
 *   α_t  = softmax(e_t) over the L regions (masked regions get weight 0)
 *   β_t  = σ(f_β(h_{t−1}))            gating scalar
 *   z_t  = β_t Σ_i α_ti a_i           context vector
 *
 * Whatever does not depend on t (the region projection W_a a + b, the mask) is computed once per image
 * in `prepareMemory`; `attend` does one step.
 *
 * Additive scores run as one fused kernel per step on the native backend when it has them
 * (fused-ops.ts). Otherwise they use tanh(x) = 2σ(2x) − 1, so
 * w · tanh(k_i + q) = (2w) · σ(2k_i + 2q) − Σ_j w_j: one sigmoid over [B, L, A] per step (tanh is ~5×
 * slower on WASM), with 2k_i stored once per image.
 */
import * as tf from '@tensorflow/tfjs';
import { fusedKernels } from '../backend/fused-state.js';
import type { AttentionScoring } from './config.js';
import { matMul, matVec } from './fast-matmul.js';
import { FusedAdditiveScorer, fusedContext } from './fused-ops.js';
import { sigmoid } from './fast-ops.js';
import { StepWeight } from './step-weight.js';
import type { DecoderParameters } from './parameters.js';

/** Added to the scores of masked regions: exp(−1e9 − max) is exactly 0 in float32. */
const MASKED_SCORE = -1e9;

/** What attention needs about one batch of images, computed once per image. */
export interface AttentionMemory {
  /** a: the annotation vectors. */
  features: tf.Tensor3D; // [B, L, D]
  /**
   * additive: W_a a_i + b [B, L, A] for the fused kernels, else 2(W_a a_i + b) (see the note on
   * additive scores); general: W_k a_i [B, L, H]; dot: null.
   */
  keys: tf.Tensor3D | null;
  /** Whether the additive keys are in the fused kernels' form (not doubled). */
  fused: boolean;
  /** 0 for visible regions, −1e9 for masked ones; null = all visible. */
  maskBias: tf.Tensor2D | null; // [B, L]
}

/** The attention weights as used at every step (see StepWeight). */
export interface AttentionWeights {
  scoring: AttentionScoring;
  /** additive: U_a [H, A]; dot: W_q [H, D]; general: unused. */
  query: StepWeight | null;
  /** additive with fused kernels: w [A] as is. */
  w: tf.Tensor1D | null;
  /** additive without: 2w as [A, 1], and Σ_j w_j. */
  w2: tf.Tensor2D | null;
  wSum: tf.Scalar | null;
  /** Whether the additive scores run as fused kernels (then `memory.fused` must agree). */
  fused: boolean;
  /** The fused scorer of the memory last attended over (made on first use). */
  scorer?: FusedAdditiveScorer;
  beta: StepWeight; // W_β [H, 1]
  betaBias: tf.Tensor1D; // [1]
}

export interface AttentionStep {
  alpha: tf.Tensor2D; // [B, L]
  beta: tf.Tensor2D; // [B, 1]
  context: tf.Tensor2D; // [B, D]
}

/** The weights for one unroll (or one decoding step) of `attend`. */
export function attentionWeights(params: DecoderParameters, scoring: AttentionScoring): AttentionWeights {
  const query =
    scoring === 'additive' ? new StepWeight(params.get('attention/U_a') as tf.Tensor2D)
    : scoring === 'dot' ? new StepWeight(params.get('attention/W_q') as tf.Tensor2D)
    : null;
  const w = scoring === 'additive' ? (params.get('attention/w') as tf.Tensor1D) : null; // [A]
  const fused = w !== null && fusedKernels('attention');
  return {
    scoring,
    query,
    w: fused ? w : null,
    w2: w && !fused ? (tf.reshape(tf.mul(w, 2), [-1, 1]) as tf.Tensor2D) : null, // [A, 1]
    wSum: w && !fused ? (tf.sum(w) as tf.Scalar) : null, // []
    fused,
    beta: new StepWeight(params.get('gate/W_beta') as tf.Tensor2D),
    betaBias: params.get('gate/b_beta') as tf.Tensor1D,
  };
}

/**
 * Checks the region mask ([B, L], 1 = visible, 0 = masked) and turns it into additive score biases.
 * Every image must keep at least one visible region.
 */
export function maskToBias(regionMask: tf.Tensor2D, batch: number, regions: number): tf.Tensor2D {
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
  let keys: tf.Tensor3D | null = null;
  const fused = scoring === 'additive' && fusedKernels('attention');
  if (scoring === 'additive') {
    const projected = tf.add(matMul(flat, params.get('attention/W_a') as tf.Tensor2D), params.get('attention/b')); // [B·L, A]
    keys = tf.reshape(fused ? projected : tf.mul(projected, 2), [B, L, -1]) as tf.Tensor3D; // [B, L, A]  (2)(W_a a_i + b)
  } else if (scoring === 'general') {
    keys = tf.reshape(matMul(flat, params.get('attention/W_k') as tf.Tensor2D), [B, L, -1]) as tf.Tensor3D; // [B, L, H]
  }
  return { features, keys, maskBias, fused };
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
  const [G, L] = memory.features.shape as [number, number, number];
  const k = rowsPerImage(memory, h);
  switch (weights.scoring) {
    case 'additive': {
      if (weights.fused !== memory.fused) throw new Error('attention: memory and weights were prepared for different kernels');
      if (weights.fused) {
        if (weights.scorer?.keys !== memory.keys) weights.scorer = new FusedAdditiveScorer(memory.keys!);
        return weights.scorer.apply(weights.query!.apply(h), weights.w!); // [G·k, L]
      }
      const q2 = tf.mul(weights.query!.apply(h), 2); // [G·k, A]  2 U_a h
      const pre =
        k === 1
          ? tf.add(memory.keys!, tf.expandDims(q2, 1)) // [G, L, A]
          : tf.add(tf.expandDims(memory.keys!, 1), tf.reshape(q2, [G, k, 1, -1])); // [G, k, L, A]
      const gate = sigmoid(pre); // σ(2(W_a a_i + b + U_a h))
      const flat = tf.reshape(gate, [G * k * L, -1]) as tf.Tensor2D; // [G·k·L, A]
      const scores = tf.reshape(matVec(flat, weights.w2!), [G * k, L]); // [G·k, L]  (2w) · σ(…)
      return tf.sub(scores, weights.wSum!); // [G·k, L]  = w · tanh(W_a a_i + b + U_a h)
    }
    case 'dot': {
      const q = tf.reshape(weights.query!.apply(h), [G, k, -1]); // [G, k, D]  W_q h
      const qT = k === 1 ? tf.reshape(q, [G, -1, 1]) : tf.transpose(q, [0, 2, 1]); // [G, D, k]
      return perRow(tf.matMul(memory.features, qT), k); // [G·k, L]  a_i · (W_q h)
    }
    case 'general': {
      const hk = tf.reshape(h, [G, k, -1]); // [G, k, H]
      const hT = k === 1 ? tf.reshape(hk, [G, -1, 1]) : tf.transpose(hk, [0, 2, 1]); // [G, H, k]
      return perRow(tf.matMul(memory.keys!, hT), k); // [G·k, L]  (W_k a_i) · h = hᵀ W a_i
    }
  }
}

/** α = softmax over regions, masked regions exactly 0: scores [G·k, L], maskBias [G, L] → [G·k, L]. */
export function maskedSoftmax(scores: tf.Tensor2D, maskBias: tf.Tensor2D | null): tf.Tensor2D {
  if (!maskBias) return tf.softmax(scores); // [G·k, L]
  const [G, L] = maskBias.shape;
  const k = scores.shape[0] / G;
  const biased = k === 1 ? tf.add(scores, maskBias) : tf.reshape(tf.add(tf.reshape(scores, [G, k, L]), tf.expandDims(maskBias, 1)), [G * k, L]);
  return tf.softmax(biased as tf.Tensor2D); // [G·k, L]
}

/** β = σ(W_β h + b_β): h [N, H] → [N, 1]. */
export function gatingScalar(h: tf.Tensor2D, weights: AttentionWeights): tf.Tensor2D {
  return tf.sigmoid(tf.add<tf.Tensor2D>(weights.beta.apply(h), weights.betaBias)); // [N, 1]
}

/** z = β Σ_i α_i a_i: alpha [G·k, L], beta [G·k, 1], features [G, L, D] → [G·k, D]. */
export function contextVector(alpha: tf.Tensor2D, beta: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor2D {
  const [G, L, D] = features.shape;
  const k = alpha.shape[0] / G;
  const weighted = fusedKernels('context')
    ? fusedContext(alpha, features) // [G·k, D]
    : tf.reshape(tf.matMul(tf.reshape(alpha, [G, k, L]), features), [G * k, D]); // [G·k, D]  [G,k,L]×[G,L,D]
  return tf.mul(beta, weighted); // [G·k, D]
}

/** One attention step from h_{t−1} [G·k, H] over the memory of G images. */
export function attend(memory: AttentionMemory, h: tf.Tensor2D, weights: AttentionWeights): AttentionStep {
  const alpha = maskedSoftmax(attentionScores(memory, h, weights), memory.maskBias); // [G·k, L]
  const beta = gatingScalar(h, weights); // [G·k, 1]
  return { alpha, beta, context: contextVector(alpha, beta, memory.features) }; // context [G·k, D]
}
