/**
 * Matmuls that stay on WASM's fast path in the backward pass too.
 *
 * WASM's matmul is fast (XNNPACK, ~20 GFLOP/s) only for plain [M,K]×[K,N] operands; with a transpose
 * flag, which every stock matmul gradient uses, it falls to a naive loop (~1.5 GFLOP/s). Here the
 * gradients transpose explicitly instead. Other backends use the stock ops.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeMatMul, onNative } from './native-ops.js';

export const onWasm = (): boolean => tf.getBackend() === 'wasm';

/** A private kernel (WASM only): the stock forward, with gradients that transpose explicitly. */
const KERNEL = 'AttendCaptionMatMul';

function ensureKernel(): void {
  if (tf.getKernel(KERNEL, 'wasm')) return;
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!batchMatMul) throw new Error('WASM backend has no BatchMatMul kernel');
  tf.registerKernel({
    kernelName: KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) =>
      batchMatMul.kernelFunc({ inputs, backend, attrs: { transposeA: false, transposeB: false } }),
  });
  if (!tf.getGradient(KERNEL)) {
    tf.registerGradient({
      kernelName: KERNEL,
      inputsToSave: ['a', 'b'],
      // Each input's gradient is computed only if that input needs one (e.g. not for fixed features).
      gradFunc: (dy, saved) => {
        const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
        return {
          a: () => tf.matMul(dy as tf.Tensor2D, tf.transpose(b)), // [N, K]
          b: () => tf.matMul(tf.transpose(a), dy as tf.Tensor2D), // [K, M]
        };
      },
    });
  }
}

/**
 * op(x) · op(w) for 2-D operands (op = transpose when its flag is set): on native TensorFlow's MatMul,
 * on WASM the fast-path kernel (transposing explicitly), elsewhere the stock op.
 */
export function matMul(x: tf.Tensor2D, w: tf.Tensor2D, transposeX = false, transposeW = false): tf.Tensor2D {
  if (onNative() && x.dtype === 'float32' && w.dtype === 'float32') return nativeMatMul(x, w, transposeX, transposeW);
  if (!onWasm()) return tf.matMul(x, w, transposeX, transposeW);
  ensureKernel();
  const a = transposeX ? tf.transpose(x) : x;
  const b = transposeW ? tf.transpose(w) : w;
  return tf.engine().runKernel<tf.Tensor2D>(KERNEL, { a, b });
}

/** x [N, K] · v [K, 1] → [N, 1] (one score per row); gradient without transposed-operand matmuls. */
export function matVec(x: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, vi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([xi, vi]);
    return {
      value: matMul(xi, vi), // [N, 1]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, vs] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dx = tf.mul(dy, tf.reshape(vs, [1, -1])); // [N, K]  outer product as a broadcast
        const dv = onWasm() ? tf.matMul(xs, dy as tf.Tensor2D, true, false) : matMul(xs, dy as tf.Tensor2D, true, false); // [K, 1]  (one column: WASM's naive loop is fine)
        return [dx, dv];
      },
    };
  });
  return op(x, v) as tf.Tensor2D;
}
