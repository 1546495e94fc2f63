/**
 * The WASM backend's fast paths: matmuls whose gradients stay on XNNPACK's fast path, additive
 * scores with one sigmoid per step, the attended sum and the score vector's gradient as SIMD
 * matrix–vector products, Adam as one SIMD pass (wasm-simd-kernels.ts), and the encoder's and
 * detector's convolutions folded with their batch norms and fused with their ReLU6 (XNNPACK runs each
 * as one op: folded-network.ts). (tanh as 2σ(2x) − 1 went:
 * with the scores on sigmoids, it no longer paid, docs/benchmarks.md.)
 */
import * as tf from '../util/tf.js';
import type { AdamUpdate, FastPaths, FastPathSet } from './types.js';
import { foldedNetwork } from './folded-network.js';
import { referenceOf } from './references.js';
import { sigmoidScores, type SigmoidScoresOps } from './sigmoid-scores.js';
import { wasmAttendedSum } from './wasm-context.js';
import { wasmMatMul } from './wasm-matmul.js';
import { simdAdamUpdate, simdWeightedSum, wasmSimdAvailable } from './wasm-simd-kernels.js';

/** aᵀ b for a [N, K], b [N, 1]: one SIMD weighted sum of a's rows where it runs, else WASM's transposed matmul. */
function transposedTimesColumn(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const [N, K] = a.shape;
  if (K % 4 !== 0 || !wasmSimdAvailable()) return tf.matMul(a, b, true, false); // [K, 1]
  const sum = simdWeightedSum(tf.reshape(b, [1, 1, N]), tf.reshape(a, [1, N, K])); // [1, 1, K]
  return tf.reshape(sum, [K, 1]);
}

export const wasmSigmoidScoresOps: SigmoidScoresOps = {
  matMul: wasmMatMul,
  transposedTimesColumn,
};

/**
 * Adam in one SIMD pass per variable where it runs (float32, size % 4 = 0); elsewhere the reference
 * (src/train/adam.ts, registered with the dispatch point by the module that calls this).
 */
const wasmAdamUpdate: AdamUpdate = (value, gradient, m, v, hyper) =>
  value.dtype === 'float32' && value.size % 4 === 0 && wasmSimdAvailable()
    ? simdAdamUpdate(value, gradient, m, v, hyper)
    : referenceOf('adamUpdate')!(value, gradient, m, v, hyper);

export const wasmFastPaths: FastPathSet & Pick<FastPaths, 'matMul'> = {
  matMul: wasmMatMul,
  additiveScores: sigmoidScores(wasmSigmoidScoresOps),
  attendedSum: wasmAttendedSum,
  adamUpdate: wasmAdamUpdate,
  network: foldedNetwork,
};
