/**
 * A matmul that stays on WASM's fast path in the backward pass too.
 *
 * WASM's matmul is fast (XNNPACK, ~20 GFLOP/s) only for plain [M,K]×[K,N] operands; with a transpose
 * flag, which every stock matmul gradient uses, it falls to a naive loop (~1.5 GFLOP/s). Here the
 * gradients transpose explicitly instead.
 */
import * as tf from '../util/tf.js';

/** A private kernel (WASM only): the stock forward, with gradients that transpose explicitly. */
const KERNEL = 'AttendCaptionMatMul';

/**
 * Registers `name` on WASM as the stock [.., M, K] × [.., K, N] BatchMatMul of inputs `a` and `b`
 * (renamed), with `gradient` registered for it: the forward the private kernels share.
 */
export function registerWasmMatMulKernel(name: string, [a, b]: readonly [string, string], gradient: tf.GradConfig): void {
  if (tf.getKernel(name, 'wasm')) return;
  const batchMatMul = tf.getKernel('BatchMatMul', 'wasm');
  if (!batchMatMul) throw new Error('WASM backend has no BatchMatMul kernel');
  tf.registerKernel({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) =>
      batchMatMul.kernelFunc({ inputs: { a: inputs[a]!, b: inputs[b]! }, backend, attrs: { transposeA: false, transposeB: false } }),
  });
  if (!tf.getGradient(name)) tf.registerGradient({ ...gradient, kernelName: name });
}

function ensureKernel(): void {
  registerWasmMatMulKernel(KERNEL, ['a', 'b'], {
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

/** op(x) · op(w) for 2-D operands on WASM, transposing explicitly (forward and backward). */
export function wasmMatMul(x: tf.Tensor2D, w: tf.Tensor2D, transposeX = false, transposeW = false): tf.Tensor2D {
  ensureKernel();
  const a = transposeX ? tf.transpose(x) : x;
  const b = transposeW ? tf.transpose(w) : w;
  return tf.engine().runKernel<tf.Tensor2D>(KERNEL, { a, b });
}
