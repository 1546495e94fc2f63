/**
 * The deep output layer (Xu et al. 2015, eq. 7):
 *   p(y_t | a, y_{<t}) = softmax( L_o (E y_{t−1} + L_h h_t + L_z z_t) + b_o )
 * Applied to any number N of (step, image) rows at once: training feeds all T·B rows in one matmul.
 */
import * as tf from '../util/tf.js';
import { matMul } from '../fast-paths/ops.js';
import type { DecoderParameters } from './parameters.js';

/** Training-time dropout; null at inference. */
export interface OutputDropout {
  /** Rate on the sum E y + L_h h + L_z z. */
  rate: number;
  /** Rate on h_t before L_h (0 = none). */
  hiddenRate: number;
  /** Seed for the masks (undefined = unseeded). */
  seed: number | undefined;
}

function maybeDropout<T extends tf.Tensor>(x: T, rate: number, seed: number | undefined): T {
  return rate > 0 ? (tf.dropout(x, rate, undefined, seed) as T) : x;
}

/** embedded [N, E], h [N, H], z [N, D] → logits [N, V]. */
export function deepOutput(
  params: DecoderParameters,
  embedded: tf.Tensor2D,
  h: tf.Tensor2D,
  z: tf.Tensor2D,
  dropout: OutputDropout | null,
): tf.Tensor2D {
  const hIn = dropout ? maybeDropout(h, dropout.hiddenRate, dropout.seed === undefined ? undefined : dropout.seed + 1) : h; // [N, H]
  const fromH = matMul(hIn, params.get('output/L_h') as tf.Tensor2D); // [N, E]
  const fromZ = matMul(z, params.get('output/L_z') as tf.Tensor2D); // [N, E]
  let sum = tf.add(tf.add(embedded, fromH), fromZ) as tf.Tensor2D; // [N, E]
  if (dropout) sum = maybeDropout(sum, dropout.rate, dropout.seed);
  return tf.add(matMul(sum, params.get('output/L_o') as tf.Tensor2D), params.get('output/b_o')) as tf.Tensor2D; // [N, V]
}
