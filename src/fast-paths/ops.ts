/**
 * The stock tfjs ops the decoder uses that some backend runs faster (src/fast-paths/dispatch.ts): call
 * these as you would tfjs's own. The decoder's own compound ops (additive scores, the attended sum,
 * the LSTM cell) are declared beside their math in src/decoder/.
 */
import * as tf from '../util/tf.js';
import { dispatched } from './dispatch.js';

/** op(x) · op(w) for 2-D operands. */
export const matMul = dispatched('matMul', (x, w, transposeX = false, transposeW = false) => tf.matMul(x, w, transposeX, transposeW));

/** log softmax over the last axis: [N, V] → [N, V]. */
export const logSoftmax = dispatched('logSoftmax', (x) => tf.logSoftmax(x));

/** −log softmax(logits)[target] per row: logits [N, V], targets [N] int32 → [N]. */
export const softmaxCrossEntropy = dispatched(
  'softmaxCrossEntropy',
  (logits, targets) =>
    tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.cast(tf.oneHot(targets, logits.shape[1]), 'float32')), 1)) as tf.Tensor1D, // [N]
);

/** x·w for a weight w used at every step of one unroll (recurrence, attention query, gate): x [N, K], w [K, M] → [N, M]. */
export const stepMatMul = dispatched('stepMatMul', (x, w) => matMul(x, w));
