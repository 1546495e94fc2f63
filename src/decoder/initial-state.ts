/**
 * The LSTM's initial memory and hidden state from the image (Xu et al. 2015, §3.1.2):
 *   c_0 = tanh(W_c · mean_i a_i + b_c),   h_0 = tanh(W_h · mean_i a_i + b_h)
 * With a region mask the mean runs over the visible regions only.
 */
import * as tf from '../util/tf.js';
import type { CellState } from '../fast-paths/dispatch.js';
import { matMul } from '../fast-paths/ops.js';
import type { DecoderParameters } from './parameters.js';

/** h and c, each [B, H]. */
export type LstmState = CellState;

/** mean_i a_i over visible regions: features [B, L, D], maskBias [B, L] (0 visible, <0 masked) → [B, D]. */
function meanAnnotation(features: tf.Tensor3D, maskBias: tf.Tensor2D | null): tf.Tensor2D {
  if (!maskBias) return tf.mean(features, 1); // [B, D]
  const visible = tf.cast(tf.equal(maskBias, 0), 'float32'); // [B, L]
  const summed = tf.sum(tf.mul(features, tf.expandDims(visible, 2)), 1); // [B, D]
  return tf.div(summed, tf.sum(visible, 1, true)); // [B, D]
}

export function initialState(params: DecoderParameters, features: tf.Tensor3D, maskBias: tf.Tensor2D | null): LstmState {
  const mean = meanAnnotation(features, maskBias); // [B, D]
  const affine = (kernel: 'init_h/kernel' | 'init_c/kernel', bias: 'init_h/bias' | 'init_c/bias') =>
    tf.tanh(tf.add(matMul(mean, params.get(kernel) as tf.Tensor2D), params.get(bias))) as tf.Tensor2D; // [B, H]
  return { h: affine('init_h/kernel', 'init_h/bias'), c: affine('init_c/kernel', 'init_c/bias') };
}
