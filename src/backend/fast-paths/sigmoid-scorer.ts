/**
 * Additive attention scores with one sigmoid per step instead of a tanh (WASM, and native without the
 * fused kernels): tanh(x) = 2σ(2x) − 1, so
 *   w · tanh(k_i + q) = (2w) · σ(2k_i + 2q) − Σ_j w_j,
 * with 2k_i made once per image batch, and the score a matrix–vector product whose gradient avoids
 * transposed-operand matmuls.
 */
import * as tf from '../../util/tf.js';
import type { AdditiveScorer, FastPaths } from '../fast-path-types.js';

/** The backend's ops the scorer runs on. */
export interface ScorerOps {
  sigmoid: FastPaths['sigmoid'];
  matMul: FastPaths['matMul'];
  /** aᵀ · b for a [N, K], b [N, 1] (the score vector's gradient). */
  transposedTimesColumn: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
}

/** x [N, K] · v [K, 1] → [N, 1] (one score per row); gradient without transposed-operand matmuls. */
export function matVec(x: tf.Tensor2D, v: tf.Tensor2D, ops: ScorerOps): tf.Tensor2D {
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

class SigmoidAdditiveScorer implements AdditiveScorer {
  private readonly doubledKeys: tf.Tensor3D; // [G, L, A]  2k_i

  constructor(
    keys: tf.Tensor3D,
    private readonly ops: ScorerOps,
  ) {
    this.doubledKeys = tf.mul(keys, 2);
  }

  scores(query: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D {
    const [G, L] = this.doubledKeys.shape;
    const k = query.shape[0] / G;
    const q2 = tf.mul(query, 2); // [G·k, A]
    const pre =
      k === 1
        ? tf.add(this.doubledKeys, tf.expandDims(q2, 1)) // [G, L, A]
        : tf.add(tf.expandDims(this.doubledKeys, 1), tf.reshape(q2, [G, k, 1, -1])); // [G, k, L, A]
    const gate = this.ops.sigmoid(pre); // σ(2k_i + 2q)
    const flat = tf.reshape(gate, [G * k * L, -1]) as tf.Tensor2D; // [G·k·L, A]
    const w2 = tf.reshape(tf.mul(w, 2), [-1, 1]) as tf.Tensor2D; // [A, 1]
    const scores = tf.reshape(matVec(flat, w2, this.ops), [G * k, L]); // [G·k, L]  (2w) · σ(…)
    return tf.sub(scores, tf.sum(w)) as tf.Tensor2D; // [G·k, L]  = w · tanh(k_i + q)
  }

  dispose(): void {
    this.doubledKeys.dispose();
  }
}

/** The additiveScorer fast path on `ops`. */
export function sigmoidScorer(ops: ScorerOps): FastPaths['additiveScorer'] {
  return (keys) => new SigmoidAdditiveScorer(keys, ops);
}
