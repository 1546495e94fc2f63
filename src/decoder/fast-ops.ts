/**
 * Elementwise work that is slow in its stock form on the WASM backend, with hand-written gradients
 * (same values and gradients as the stock ops: see test/decoder-fast-ops.test.ts).
 * - tanh: WASM's is scalar libm, ~5× slower than its sigmoid: tanh(x) = 2σ(2x) − 1.
 * - cross-entropy and log-softmax: avoid exp / log over [N, V] (slow on WASM), see `logSumExp`.
 */
import * as tf from '@tensorflow/tfjs';
import { onWasm } from './fast-matmul.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/** tanh, with gradient dy·(1 − y²). */
export function tanh<T extends tf.Tensor>(x: T): T {
  if (!onWasm()) return tf.tanh(x);
  const op = tf.customGrad((...args: Args) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.sub(tf.mul(tf.sigmoid(tf.mul(xi, 2)), 2), 1);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sub(1, tf.square(saved[0]!))),
    };
  });
  return op(x) as T;
}

/**
 * Row-wise log-sum-exp of x [N, V] → [N, 1], from p = softmax(x) (one fused kernel) without exp/log
 * over [N, V]: p_max = exp(x_max − lse) ≥ 1/V never underflows, so lse = x_max − log p_max exactly.
 */
function logSumExp(x: tf.Tensor2D, p: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(tf.max(x, 1, true), tf.log(tf.max(p, 1, true))); // [N, 1]
}

/** log softmax(x) over the last axis, x [N, V] → [N, V] (inference: no gradient needed). */
export function logSoftmax(x: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(x, logSumExp(x, tf.softmax(x))); // [N, V]
}

/**
 * Per-row cross-entropy −log softmax(logits)[target] = lse − x_target: logits [N, V], targets [N]
 * int32 → [N]. Gradient: (p − onehot(target))·dy.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const op = tf.customGrad((...args: Args) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const p = tf.softmax(x); // [N, V]
    // (WASM's OneHot kernel returns zeros when asked for float32 directly: make int32, then cast.)
    const oneHot = tf.cast(tf.oneHot(targets, V), 'float32'); // [N, V]
    const xTarget = tf.sum(tf.mul(x, oneHot), 1); // [N]
    const lse = tf.reshape(logSumExp(x, p), [-1]); // [N]
    save([p, oneHot]);
    return {
      value: tf.sub(lse, xTarget), // [N]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.sub(saved[0]!, saved[1]!), tf.expandDims(dy, 1)), // [N, V]
    };
  });
  return op(logits) as tf.Tensor1D;
}
