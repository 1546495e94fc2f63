/**
 * The attended sum Σ_i α_i a_i on WASM: one pass of the SIMD weighted sum over the features, and
 * its α gradient one pass of SIMD row dot products (wasm-simd-kernels.ts), where WebAssembly SIMD
 * runs. Elsewhere the stock batched matmul [G, k, L] × [G, L, D], with a backward pass that avoids
 * WASM's transposed batched matmul (its naive loop, ≈ 1 GFLOP/s on these tiny products): the α
 * gradient dz · aᵀ as an elementwise product summed over the contiguous last axis. Either way the
 * features' gradient (never needed in training: the encoder is fixed) is computed only if asked for.
 */
import * as tf from '../util/tf.js';
import { registerWasmMatMulKernel } from './wasm-matmul.js';
import { simdWeightedSum, wasmSimdAvailable } from './wasm-simd-kernels.js';

const KERNEL = 'AttendCaptionWasmContext';

function ensureKernel(): void {
  registerWasmMatMulKernel(KERNEL, ['alpha', 'features'], {
    kernelName: KERNEL,
    inputsToSave: ['alpha', 'features'],
    gradFunc: (dy, saved) => {
      const [alpha, features] = saved as [tf.Tensor3D, tf.Tensor3D]; // [G, k, L], [G, L, D]
      const d = dy as tf.Tensor3D; // [G, k, D]
      return {
        alpha: () => tf.sum(tf.mul(tf.expandDims(d, 2), tf.expandDims(features, 1)), -1), // [G, k, L]  Σ_d dz_d a_id
        features: () => tf.matMul(tf.transpose(alpha, [0, 2, 1]), d), // [G, L, D]  αᵀ dz
      };
    },
  });
}

/** Σ_i α_i a_i: alpha [G·k, L] (row n attends image ⌊n / k⌋), features [G, L, D] → [G·k, D]. */
export function wasmAttendedSum(alpha: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor2D {
  const [G, L, D] = features.shape;
  const k = alpha.shape[0] / G;
  const weights = tf.reshape(alpha, [G, k, L]) as tf.Tensor3D; // [G, k, L]
  let sum: tf.Tensor3D; // [G, k, D]
  if (D % 4 === 0 && wasmSimdAvailable()) {
    sum = simdWeightedSum(weights, features);
  } else {
    ensureKernel();
    sum = tf.engine().runKernel<tf.Tensor3D>(KERNEL, { alpha: weights, features });
  }
  return tf.reshape(sum, [G * k, D]) as tf.Tensor2D; // [G·k, D]
}
