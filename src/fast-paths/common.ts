/**
 * Fast paths every backend runs (each backend's own set may override them, src/fast-paths/dispatch.ts):
 * - a weight applied at every step, with its gradient summed in one matmul (step-matmul.ts);
 * - log-softmax and cross-entropy from one softmax, without exp/log over [N, V] (softmax.ts).
 */
import * as tf from '../util/tf.js';
import type { FastPaths, FastPathSet } from './types.js';
import { logSoftmaxFromSoftmax, softmaxCrossEntropyFromSoftmax } from './softmax.js';
import { stepMatMulOn } from './step-matmul.js';

/** tfjs's own matMul. */
export const stockMatMul: FastPaths['matMul'] = (x, w, transposeX = false, transposeW = false) => tf.matMul(x, w, transposeX, transposeW);

/** The common set, its step-shared matmuls multiplying with the backend's `matMul`. */
export function commonFastPaths(matMul: FastPaths['matMul']): FastPathSet {
  return {
    stepMatMul: stepMatMulOn(matMul),
    logSoftmax: logSoftmaxFromSoftmax,
    softmaxCrossEntropy: softmaxCrossEntropyFromSoftmax,
  };
}
