/**
 * Additive attention scores with one sigmoid per step instead of a tanh (WASM, and native without the
 * fused kernels): tanh(x) = 2σ(2x) − 1, so
 *   w · tanh(k_i + q) = (2w) · σ(2(k_i + q)) − Σ_j w_j,
 * the score a matrix–vector product whose gradient avoids transposed-operand matmuls.
 */
import * as tf from '../util/tf.js';
import type { FastPaths } from './types.js';

/** The backend's ops the scores run on. */
export interface SigmoidScoresOps {
  matMul: FastPaths['matMul'];
  /** aᵀ · b for a [N, K], b [N, 1] (the score vector's gradient). */
  transposedTimesColumn: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
}

/** x [N, K] · v [K, 1] → [N, 1] (one score per row); gradient without transposed-operand matmuls. */
export function matVec(x: tf.Tensor2D, v: tf.Tensor2D, ops: SigmoidScoresOps): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, vi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([xi, vi]);
    return {
      value: ops.matMul(xi, vi), // [N, 1]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, vs] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dx = tf.mul(dy, tf.reshape(vs, [1, -1])); // [N, K]  outer product as a broadcast
        return [dx, ops.transposedTimesColumn(xs, dy as tf.Tensor2D)]; // [N, K], [K, 1]
      },
    };
  });
  return op(x, v) as tf.Tensor2D;
}

/** The additiveScores fast path on `ops`: (2w) · σ(2(k_i + q)) − Σ_j w_j per region. */
export function sigmoidScores(ops: SigmoidScoresOps): FastPaths['additiveScores'] {
  return (keys, query, w) => {
    const [G, L, A] = keys.shape;
    const k = query.shape[0] / G;
    const sum =
      k === 1
        ? tf.add(keys, tf.expandDims(query, 1)) // [G, L, A]
        : tf.add(tf.expandDims(keys, 1), tf.reshape(query, [G, k, 1, A])); // [G, k, L, A]
    const gate = tf.sigmoid(tf.mul(sum, 2)); // σ(2(k_i + q))
    const flat = tf.reshape(gate, [G * k * L, A]) as tf.Tensor2D; // [G·k·L, A]
    const w2 = tf.reshape(tf.mul(w, 2), [A, 1]) as tf.Tensor2D; // [A, 1]
    const scores = tf.reshape(matVec(flat, w2, ops), [G * k, L]); // [G·k, L]  (2w) · σ(…)
    return tf.sub(scores, tf.sum(w)) as tf.Tensor2D; // [G·k, L]  = w · tanh(k_i + q)
  };
}
