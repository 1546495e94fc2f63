/**
 * Elementwise work that is slow in its stock form on the WASM backend, with hand-written gradients
 * (same values and gradients as the stock ops: see test/decoder-fast-ops.test.ts).
 * - tanh: WASM's is scalar libm, ~5× slower than its sigmoid: tanh(x) = 2σ(2x) − 1.
 * - σ and tanh on native: TensorFlow's fused gradient kernels (native-ops.ts).
 * - cross-entropy and log-softmax: avoid exp / log over [N, V] (slow on WASM), see `logSumExp`.
 */
import * as tf from '@tensorflow/tfjs';
import { onWasm } from './fast-matmul.js';
import { onNative, sigmoidGrad, tanhGrad } from './native-ops.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/** y = f(x) with the gradient `grad(y, dy)` (saves only y). */
function withGradFromOutput<T extends tf.Tensor>(x: T, f: (x: tf.Tensor) => tf.Tensor, grad: (y: tf.Tensor, dy: tf.Tensor) => tf.Tensor): T {
  const op = tf.customGrad((...args: Args) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = f(xi);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => grad(saved[0]!, dy) };
  });
  return op(x) as T;
}

/** tanh; on WASM as 2σ(2x) − 1; on native with TensorFlow's fused TanhGrad. */
export function tanh<T extends tf.Tensor>(x: T): T {
  if (onWasm()) return withGradFromOutput(x, (xi) => tf.sub(tf.mul(tf.sigmoid(tf.mul(xi, 2)), 2), 1), tanhGrad);
  if (onNative()) return withGradFromOutput(x, tf.tanh, tanhGrad);
  return tf.tanh(x);
}

/** σ; on native with TensorFlow's fused SigmoidGrad (one pass instead of three). */
export function sigmoid<T extends tf.Tensor>(x: T): T {
  if (onNative()) return withGradFromOutput(x, tf.sigmoid, sigmoidGrad);
  return tf.sigmoid(x);
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
