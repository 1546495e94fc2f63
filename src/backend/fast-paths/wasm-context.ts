/**
 * The attended sum Σ_i α_i a_i on WASM, with a backward pass that avoids WASM's transposed batched
 * matmul. The forward is the stock batched matmul [G, k, L] × [G, L, D]; its stock gradient for α,
 * dz · aᵀ, runs as a batched matmul with a transpose flag: WASM's naive loop, ≈ 1 GFLOP/s on these
 * tiny products, once per decoding step. Here it is an elementwise product summed over the contiguous
 * last axis (about half the time), and the features' gradient (never needed in training: the encoder
 * is fixed) is computed only if asked for.
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmMatMulKernel } from './wasm-matmul.js';

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
  ensureKernel();
  const [G, L, D] = features.shape;
  const k = alpha.shape[0] / G;
  const sum = tf.engine().runKernel<tf.Tensor3D>(KERNEL, { alpha: tf.reshape(alpha, [G, k, L]), features }); // [G, k, D]
  return tf.reshape(sum, [G * k, D]) as tf.Tensor2D; // [G·k, D]
}
