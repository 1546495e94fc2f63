/**
 * One step of the recurrence, the same for training and decoding (as AttModel.core is in
 * ruotianluo's captioning code): given E y_{t−1} and (h_{t−1}, c_{t−1}),
 *   α_t, β_t, z_t = attend(a, h_{t−1})                                  (eq. 4–6, §4.2.1)
 *   (i, f, o, g) = (σ, σ, σ, tanh)(T [E y_{t−1}; z_t; h_{t−1}] + b)      (eq. 1–3)
 *   c_t = f ⊙ c_{t−1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
 * The teacher-forced unroll (forward.ts) calls it T times with the true previous words; decoding
 * (step.ts) once per generated word. The deep output (eq. 7) is applied by each caller: training runs
 * it once over all T steps.
 */
import * as tf from '../util/tf.js';
import { stepMatMul } from '../fast-paths/ops.js';
import { attend, attentionWeights, type AttentionMemory, type AttentionWeights, type RegionSelector } from './attention.js';
import type { AttentionScoring } from './config.js';
import { lstmCell } from './lstm.js';
import type { DecoderParameters } from './parameters.js';

/** The weights every step uses. */
export interface CoreWeights {
  attention: AttentionWeights;
  /** T: [E + D + H, 4H], the four gates in one matmul. */
  lstmKernel: tf.Tensor2D;
  lstmBias: tf.Tensor1D; // [4H]
}

export function coreWeights(params: DecoderParameters, scoring: AttentionScoring): CoreWeights {
  return {
    attention: attentionWeights(params, scoring),
    lstmKernel: params.get('lstm/kernel') as tf.Tensor2D,
    lstmBias: params.get('lstm/bias') as tf.Tensor1D,
  };
}

export interface CoreStep {
  alpha: tf.Tensor2D; // [N, L]
  beta: tf.Tensor2D; // [N, 1]
  /** z_t, the context vector. */
  context: tf.Tensor2D; // [N, D]
  /** The regions z_t is made of (α itself for soft attention; one-hot rows for hard). */
  regions: tf.Tensor2D; // [N, L]
  h: tf.Tensor2D; // [N, H]
  c: tf.Tensor2D; // [N, H]
}

/** embedded E y_{t−1} [N, E], h_{t−1} and c_{t−1} [N, H] over the memory of the rows' images → step t. */
export function core(
  weights: CoreWeights,
  memory: AttentionMemory,
  embedded: tf.Tensor2D,
  h: tf.Tensor2D,
  c: tf.Tensor2D,
  select?: RegionSelector,
): CoreStep {
  const { alpha, beta, context, regions } = attend(memory, h, weights.attention, select); // [N, L], [N, 1], [N, D], [N, L]
  const x = tf.concat([embedded, context, h], 1) as tf.Tensor2D; // [N, E + D + H]
  const pre = tf.add(stepMatMul(x, weights.lstmKernel), weights.lstmBias) as tf.Tensor2D; // [N, 4H]
  const next = lstmCell(pre, c); // [N, H] each
  return { alpha, beta, context, regions, h: next.h, c: next.c };
}
