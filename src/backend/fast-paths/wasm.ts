/**
 * The WASM backend's fast paths: matmuls whose gradients stay on XNNPACK's fast path, tanh as a
 * sigmoid (WASM's tanh is scalar libm), additive scores with one sigmoid per step, and the attended
 * sum with a gradient off WASM's transposed batched matmul.
 */
import * as tf from '@tensorflow/tfjs';
import type { FastPaths, FastPathSet } from '../dispatch.js';
import { tanhViaSigmoid } from './activations.js';
import { sigmoidScorer, type ScorerOps } from './sigmoid-scorer.js';
import { wasmAttendedSum } from './wasm-context.js';
import { wasmMatMul } from './wasm-matmul.js';

/** (The score vector's gradient is one column: WASM's naive transposed matmul is fine there.) */
export const wasmScorerOps: ScorerOps = {
  sigmoid: tf.sigmoid,
  matMul: wasmMatMul,
  transposedTimesColumn: (a, b) => tf.matMul(a, b, true, false) as tf.Tensor2D, // [K, 1]
};

export const wasmFastPaths: FastPathSet & Pick<FastPaths, 'matMul'> = {
  matMul: wasmMatMul,
  tanh: tanhViaSigmoid,
  additiveScorer: sigmoidScorer(wasmScorerOps),
  attendedSum: wasmAttendedSum,
};
