/**
 * σ and tanh with hand-written gradients from their output (same values and gradients as the stock
 * ops: test/dispatch.test.ts):
 * - on WASM, tanh is scalar libm, ~5× slower than its sigmoid: tanh(x) = 2σ(2x) − 1;
 * - on native, TensorFlow's fused SigmoidGrad / TanhGrad (native-kernels.ts) make one pass where
 *   tfjs's gradients make three.
 */
import * as tf from '../../util/tf.js';
import { nativeSigmoidGrad, nativeTanhGrad } from './native-kernels.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/** y = f(x) with the gradient `grad(y, dy)` (saves only y). */
function withGradFromOutput<T extends tf.Tensor>(
  x: T,
  f: (x: tf.Tensor) => tf.Tensor,
  grad: (y: tf.Tensor, dy: tf.Tensor) => tf.Tensor,
): T {
  const op = tf.customGrad((...args: Args) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = f(xi);
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => grad(saved[0]!, dy) };
  });
  return op(x) as T;
}

/** dy·(1 − y²), the gradient of y = tanh(x) given y. */
const tanhGradFromOutput = (y: tf.Tensor, dy: tf.Tensor): tf.Tensor => tf.mul(dy, tf.sub(1, tf.square(y)));

/** tanh as 2σ(2x) − 1 (WASM). */
export function tanhViaSigmoid<T extends tf.Tensor>(x: T): T {
  return withGradFromOutput(x, (xi) => tf.sub(tf.mul(tf.sigmoid(tf.mul(xi, 2)), 2), 1), tanhGradFromOutput);
}

/** σ with TensorFlow's SigmoidGrad (native). */
export function nativeSigmoid<T extends tf.Tensor>(x: T): T {
  return withGradFromOutput(x, tf.sigmoid, nativeSigmoidGrad);
}

/** tanh with TensorFlow's TanhGrad (native). */
export function nativeTanh<T extends tf.Tensor>(x: T): T {
  return withGradFromOutput(x, tf.tanh, nativeTanhGrad);
}
