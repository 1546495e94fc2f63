/**
 * Additive attention scores with the fused native kernels (native/attend-caption-ops.cc):
 *   act = tanh(k_i + q),  e_i = w · act
 * in one pass over [N, L, A] forward and one backward, instead of TensorFlow's add, tanh, matvec and
 * (backward) outer product, tanh′, sum, matvec and accumulation. Native backend with the addon only:
 * check `fusedKernels()` (src/backend/fused-kernels.ts) first.
 */
import * as tf from '@tensorflow/tfjs';
import { runNativeOp } from './native-ops.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * keys [G, L, A] (W_a a_i + b), query [N, A] (U_a h; row n attends image n / (N / G)), w [A]
 * → scores [N, L], differentiable in all three.
 */
export function fusedAdditiveScores(keys: tf.Tensor3D, query: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D {
  const rowsPerImage = query.shape[0] / keys.shape[0];
  const op = tf.customGrad((...args: Args) => {
    const [k, q, wi, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const [scores, act] = runNativeOp('AttendCaptionAdditiveScores', 'AttendCaptionAdditiveScores', { keys: k, query: q, w: wi }, 2); // [N, L], [N, L, A]
    save([act!, wi]);
    return {
      value: scores!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [a, ws] = saved as [tf.Tensor3D, tf.Tensor1D];
        return runNativeOp('AttendCaptionAdditiveScoresGrad', 'AttendCaptionAdditiveScoresGrad', { act: a, dscores: dy, w: ws }, 3, {
          rows_per_image: rowsPerImage,
        }); // dkeys [G, L, A], dquery [N, A], dw [A]
      },
    };
  });
  return op(keys, query, w) as tf.Tensor2D;
}
