/**
 * The native backend's fast paths (tfjs-node): TensorFlow's 2-D MatMul always; the fused kernels of
 * native/attend-caption-ops.cc for each group that is loaded and enabled (fused-state.ts), else the
 * one-sigmoid additive scores and the decoder's plain math. (TensorFlow's SigmoidGrad / TanhGrad as
 * private kernels went: with or without the fused kernels they no longer paid, docs/benchmarks.md.)
 */
import * as tf from '../util/tf.js';
import type { FastPaths, FastPathSet } from './types.js';
import { fusedKernels } from './fused-state.js';
import { fusedAdamUpdate, fusedAdditiveScores, fusedContext, fusedLstmCell, fusedTopK } from './fused-ops.js';
import { foldedNetwork } from './folded-network.js';
import { nativeMatMul } from './native-kernels.js';
import { sigmoidScores } from './sigmoid-scores.js';

/** TensorFlow's MatMul for float32 operands (tfjs's otherwise). */
const matMul: FastPaths['matMul'] = (x, w, transposeX = false, transposeW = false) =>
  x.dtype === 'float32' && w.dtype === 'float32' ? nativeMatMul(x, w, transposeX, transposeW) : tf.matMul(x, w, transposeX, transposeW);

export function nativeFastPaths(): FastPathSet & Pick<FastPaths, 'matMul'> {
  return {
    matMul,
    additiveScores: fusedKernels('attention')
      ? fusedAdditiveScores
      : sigmoidScores({ matMul, transposedTimesColumn: (a, b) => matMul(a, b, true, false) }),
    ...(fusedKernels('context') ? { attendedSum: fusedContext } : {}),
    ...(fusedKernels('lstm') ? { lstmCell: fusedLstmCell } : {}),
    ...(fusedKernels('adam') ? { adamUpdate: fusedAdamUpdate } : {}),
    ...(fusedKernels('search') ? { topK: fusedTopK } : {}),
    network: foldedNetwork,
  };
}
