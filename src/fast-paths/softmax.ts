/**
 * Log-softmax and cross-entropy from p = softmax(x), one fused kernel, without exp or log over [N, V]
 * (slow on WASM). Same values and gradients as tfjs's logSoftmax and −Σ onehot · logSoftmax.
 */
import * as tf from '../util/tf.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * Row-wise log-sum-exp of x [N, V] → [N, 1], given p = softmax(x): p_max = exp(x_max − lse) ≥ 1/V
 * never underflows, so lse = x_max − log p_max exactly.
 */
function logSumExp(x: tf.Tensor2D, p: tf.Tensor2D): tf.Tensor2D {
  return tf.sub(tf.max(x, 1, true), tf.log(tf.max(p, 1, true))); // [N, 1]
}

/** log softmax(x) over the last axis, x [N, V] → [N, V]. Gradient: dy − p · Σ_v dy_v. */
export function logSoftmaxFromSoftmax(x: tf.Tensor2D): tf.Tensor2D {
  if (!tf.engine().isTapeOn()) return tf.sub(x, logSumExp(x, tf.softmax(x))); // [N, V]  (decoding: no gradient to record)
  const op = tf.customGrad((...args: Args) => {
    const [xi, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const p = tf.softmax(xi); // [N, V]
    save([p]);
    return {
      value: tf.sub(xi, logSumExp(xi, p)), // [N, V]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.sub(dy, tf.mul(saved[0]!, tf.sum(dy, 1, true))), // [N, V]
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * Per-row cross-entropy −log softmax(logits)[target] = lse − x_target: logits [N, V], targets [N]
 * int32 → [N]. Gradient: (p − onehot(target))·dy.
 */
export function softmaxCrossEntropyFromSoftmax(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
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
