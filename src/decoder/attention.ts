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
 * Additive scores use tanh(x) = 2σ(2x) − 1, so w · tanh(k_i + q) = (2w) · σ(2k_i + 2q) − Σ_j w_j:
 * one sigmoid over [B, L, A] per step (tanh is ~5× slower on WASM), with 2k_i stored once per image.
 */
import * as tf from '@tensorflow/tfjs';
import type { AttentionScoring } from './config.js';
import { matMul, matVec, StepWeight } from './fast-ops.js';
import type { DecoderParameters } from './parameters.js';

/** Added to the scores of masked regions: exp(−1e9 − max) is exactly 0 in float32. */
const MASKED_SCORE = -1e9;

/** What attention needs about one batch of images, computed once per image. */
export interface AttentionMemory {
  /** a: the annotation vectors. */
  features: tf.Tensor3D; // [B, L, D]
  /** additive: 2(W_a a_i + b) [B, L, A] (doubled: see the note on additive scores); general: W_k a_i [B, L, H]; dot: null. */
  keys: tf.Tensor3D | null;
  /** 0 for visible regions, −1e9 for masked ones; null = all visible. */
  maskBias: tf.Tensor2D | null; // [B, L]
}

/** The per-step attention weights, each with its transpose made once for the backward pass. */
export interface AttentionWeights {
  scoring: AttentionScoring;
  /** additive: U_a [H, A]; dot: W_q [H, D]; general: unused. */
  query: StepWeight | null;
  /** additive: 2w as [A, 1], and Σ_j w_j. */
  w2: tf.Tensor2D | null;
  wSum: tf.Scalar | null;
  beta: StepWeight; // W_β [H, 1]
  betaBias: tf.Tensor1D; // [1]
}

export interface AttentionStep {
  alpha: tf.Tensor2D; // [B, L]
  beta: tf.Tensor2D; // [B, 1]
  context: tf.Tensor2D; // [B, D]
}

/** The weights for `steps` calls of `attend` (the count lets the backward pass free shared transposes). */
export function attentionWeights(params: DecoderParameters, scoring: AttentionScoring, steps: number): AttentionWeights {
  const query =
    scoring === 'additive' ? new StepWeight(params.get('attention/U_a') as tf.Tensor2D, steps)
    : scoring === 'dot' ? new StepWeight(params.get('attention/W_q') as tf.Tensor2D, steps)
    : null;
  const w = scoring === 'additive' ? params.get('attention/w') : null; // [A]
  return {
    scoring,
    query,
    w2: w && (tf.reshape(tf.mul(w, 2), [-1, 1]) as tf.Tensor2D), // [A, 1]
    wSum: w && (tf.sum(w) as tf.Scalar), // []
    beta: new StepWeight(params.get('gate/W_beta') as tf.Tensor2D, steps),
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
  if (scoring === 'additive') {
    const projected = tf.add(matMul(flat, params.get('attention/W_a') as tf.Tensor2D), params.get('attention/b')); // [B·L, A]
    keys = tf.reshape(tf.mul(projected, 2), [B, L, -1]) as tf.Tensor3D; // [B, L, A]  2(W_a a_i + b)
  } else if (scoring === 'general') {
    keys = tf.reshape(matMul(flat, params.get('attention/W_k') as tf.Tensor2D), [B, L, -1]) as tf.Tensor3D; // [B, L, H]
  }
  return { features, keys, maskBias };
}

/** e_t: one score per region from the previous hidden state h [B, H] → [B, L]. */
export function attentionScores(memory: AttentionMemory, h: tf.Tensor2D, weights: AttentionWeights): tf.Tensor2D {
  const [B, L] = memory.features.shape as [number, number, number];
  switch (weights.scoring) {
    case 'additive': {
      const q2 = tf.expandDims(tf.mul(weights.query!.apply(h), 2), 1); // [B, 1, A]  2 U_a h
      const gate = tf.sigmoid(tf.add(memory.keys!, q2)); // [B, L, A]  σ(2(W_a a_i + b + U_a h))
      const flat = tf.reshape(gate, [B * L, -1]) as tf.Tensor2D; // [B·L, A]
      const scores = tf.reshape(matVec(flat, weights.w2!), [B, L]); // [B, L]  (2w) · σ(…)
      return tf.sub(scores, weights.wSum!); // [B, L]  = w · tanh(W_a a_i + b + U_a h)
    }
    case 'dot': {
      const q = tf.expandDims(weights.query!.apply(h), 2); // [B, D, 1]  W_q h
      return tf.reshape(tf.matMul(memory.features, q), [B, L]); // [B, L]  a_i · (W_q h)
    }
    case 'general': {
      const q = tf.expandDims(h, 2); // [B, H, 1]
      return tf.reshape(tf.matMul(memory.keys!, q), [B, L]); // [B, L]  (W_k a_i) · h = hᵀ W a_i
    }
  }
}

/** α = softmax over regions, masked regions exactly 0: scores [B, L] → [B, L]. */
export function maskedSoftmax(scores: tf.Tensor2D, maskBias: tf.Tensor2D | null): tf.Tensor2D {
  return tf.softmax(maskBias ? tf.add<tf.Tensor2D>(scores, maskBias) : scores); // [B, L]
}

/** β = σ(W_β h + b_β): h [B, H] → [B, 1]. */
export function gatingScalar(h: tf.Tensor2D, weights: AttentionWeights): tf.Tensor2D {
  return tf.sigmoid(tf.add<tf.Tensor2D>(weights.beta.apply(h), weights.betaBias)); // [B, 1]
}

/** z = β Σ_i α_i a_i: alpha [B, L], beta [B, 1], features [B, L, D] → [B, D]. */
export function contextVector(alpha: tf.Tensor2D, beta: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor2D {
  const [B, , D] = features.shape;
  const weighted = tf.reshape(tf.matMul(tf.expandDims(alpha, 1), features), [B, D]); // [B, D]  [B,1,L]×[B,L,D]
  return tf.mul(beta, weighted); // [B, D]
}

/** One attention step from h_{t−1} [B, H]. */
export function attend(memory: AttentionMemory, h: tf.Tensor2D, weights: AttentionWeights): AttentionStep {
  const alpha = maskedSoftmax(attentionScores(memory, h, weights), memory.maskBias); // [B, L]
  const beta = gatingScalar(h, weights); // [B, 1]
  return { alpha, beta, context: contextVector(alpha, beta, memory.features) }; // context [B, D]
}
