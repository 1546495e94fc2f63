/**
 * The LSTM cell of Xu et al. 2015, eq. 1–3, with the four gates fused into one matmul:
 *   (i, f, o, g) = (σ, σ, σ, tanh)( T [E y_{t−1}; z_t; h_{t−1}] + b )     T: [E + D + H, 4H]
 *   c_t = f ⊙ c_{t−1} + i ⊙ g,    h_t = o ⊙ tanh(c_t)
 * Gate order in the 4H columns: i, f, o, g (input, forget, output, candidate).
 */
import * as tf from '../util/tf.js';
import { dispatched } from '../fast-paths/dispatch.js';
import type { LstmState } from './initial-state.js';

/** Applies the cell nonlinearities to the fused gate pre-activations [B, 4H] given c_{t−1} [B, H]. */
export const lstmCell = dispatched('lstmCell', (preactivations: tf.Tensor2D, cPrev: tf.Tensor2D): LstmState => {
  const [B, fourH] = preactivations.shape;
  const H = fourH / 4;
  const sig = tf.sigmoid(tf.slice(preactivations, [0, 0], [B, 3 * H])); // [B, 3H]  i, f, o
  const [i, f, o] = tf.split(sig, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D]; // 3 × [B, H]
  const g = tf.tanh(tf.slice(preactivations, [0, 3 * H], [B, H])); // [B, H]
  const c = tf.add(tf.mul(f, cPrev), tf.mul(i, g)) as tf.Tensor2D; // [B, H]
  const h = tf.mul(o, tf.tanh(c)) as tf.Tensor2D; // [B, H]
  return { h, c };
});
