/**
 * The ops that have fast paths, with their signatures: the contract between dispatch.ts and each
 * backend's set (common.ts, native.ts, wasm.ts).
 */
import type * as tf from '../util/tf.js';

/** h and c of an LSTM, each [B, H]. */
export interface CellState {
  h: tf.Tensor2D; // [B, H]
  c: tf.Tensor2D; // [B, H]
}

/** One Adam update of a variable: (value, gradient, m, v, [lr, β1, β2, ε, 1 − β1^t, 1 − β2^t]) → new (value, m, v). */
export type AdamUpdate = (
  value: tf.Tensor,
  gradient: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  hyper: tf.Tensor1D,
) => [tf.Tensor, tf.Tensor, tf.Tensor];

/**
 * The k largest of x + bias in each row, best first, equal values lower index first (no gradient):
 * x [N, V], bias [V] → values [N, k], indices [N, k] int32. Search's words per step (bias: −∞ at
 * the ids it never generates).
 */
export type TopK = (x: tf.Tensor2D, bias: tf.Tensor1D, k: number) => { values: tf.Tensor2D; indices: tf.Tensor2D };

/** Every op that has fast paths, with its signature. */
export interface FastPaths {
  /** op(x) · op(w) for 2-D operands. */
  matMul: (x: tf.Tensor2D, w: tf.Tensor2D, transposeX?: boolean, transposeW?: boolean) => tf.Tensor2D;
  /** log softmax over the last axis: [N, V] → [N, V]. */
  logSoftmax: (x: tf.Tensor2D) => tf.Tensor2D;
  /** −log softmax(logits)[target] per row: logits [N, V], targets [N] int32 → [N]. */
  softmaxCrossEntropy: (logits: tf.Tensor2D, targets: tf.Tensor1D) => tf.Tensor1D;
  /** x·w for a weight w used at every step of one unroll: x [N, K], w [K, M] → [N, M]. */
  stepMatMul: (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
  /**
   * Additive attention scores e_ni = w · tanh(k_i + q_n): keys k [G, L, A] (the same at every step of
   * an unroll), query q [N, A] (row n attends image ⌊n / (N / G)⌋), w [A] → [N, L].
   */
  additiveScores: (keys: tf.Tensor3D, query: tf.Tensor2D, w: tf.Tensor1D) => tf.Tensor2D;
  /** Σ_i α_i a_i: alpha [N, L] (row n attends image ⌊n / (N / G)⌋), features [G, L, D] → [N, D]. */
  attendedSum: (alpha: tf.Tensor2D, features: tf.Tensor3D) => tf.Tensor2D;
  /** The LSTM nonlinearities: gate pre-activations [B, 4H] (i, f, o, g) and c_{t−1} [B, H] → h_t, c_t. */
  lstmCell: (preactivations: tf.Tensor2D, cPrev: tf.Tensor2D) => CellState;
  topK: TopK;
  /**
   * A Keras network's output (the encoder's and the detector's trunks; inference only): the model and
   * its input [B, S, S, 3] → [B, H, W, D]. Reference: `model.predict` (src/encoder/layers-network.ts).
   */
  network: (model: tf.LayersModel, input: tf.Tensor4D) => tf.Tensor4D;
  /** Reference: src/train/adam.ts. */
  adamUpdate: AdamUpdate;
}

export type FastPathName = keyof FastPaths;

/** Every op name (the record makes the compiler check the list is complete). */
const NAMES: Record<FastPathName, true> = {
  matMul: true,
  logSoftmax: true,
  softmaxCrossEntropy: true,
  stepMatMul: true,
  additiveScores: true,
  attendedSum: true,
  lstmCell: true,
  topK: true,
  network: true,
  adamUpdate: true,
};
export const FAST_PATH_NAMES = Object.keys(NAMES) as readonly FastPathName[];
export type FastPathSet = Partial<FastPaths>;
