/**
 * The one dispatch point between the model's math and the backends' fast paths.
 *
 * The decoder (src/decoder/) is written in plain tfjs ops, as the paper states it. Each op that some
 * backend runs faster is declared there with `dispatched(name, reference)`: the plain version is the
 * reference, and at call time the active backend's fast path of that name runs instead, if it has
 * one. `fastPathsFor` below is the only place that says which backend runs what; every fast path
 * gives the reference's values and gradients (test/dispatch.test.ts checks each on each backend).
 *
 * Nothing here needs Node.js: the native kernels are used only once their loader
 * (fused-kernels.ts, Node only) has reported them loaded.
 *
 * One switch turns every fast path off on every backend, for debugging the plain math:
 * `CAPTION_FAST_PATHS=off` in the environment (read once), or `setFastPaths(false)` in-process.
 * Adam then runs as tfjs's own optimizer (src/train/fused-adam.ts).
 */
import * as tf from '../util/tf.js';
import { commonFastPaths, stockMatMul } from './fast-paths/common.js';
import { nativeFastPaths } from './fast-paths/native.js';
import { wasmFastPaths } from './fast-paths/wasm.js';
import { fusedKernelsGeneration } from './fused-state.js';

/** h and c of an LSTM, each [B, H]. */
export interface CellState {
  h: tf.Tensor2D; // [B, H]
  c: tf.Tensor2D; // [B, H]
}

/** Additive attention scores over one batch of images' keys k_i = W_a a_i + b [G, L, A]. */
export interface AdditiveScorer {
  /** e_ni = w · tanh(k_i + q_n): query [N, A] (row n attends image ⌊n / (N / G)⌋), w [A] → [N, L]. */
  scores(query: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D;
  /** Frees what the scorer made from its keys (never the keys themselves). */
  dispose(): void;
}

/** A weight w applied at every decoding step of one unroll: x [N, K] ↦ x·w [N, M]. */
export interface SharedWeight {
  apply(x: tf.Tensor2D): tf.Tensor2D;
}

/** One Adam update of a variable: (value, gradient, m, v, [lr, β1, β2, ε, 1 − β1^t, 1 − β2^t]) → new (value, m, v). */
export type AdamUpdate = (value: tf.Tensor, gradient: tf.Tensor, m: tf.Tensor, v: tf.Tensor, hyper: tf.Tensor1D) => [tf.Tensor, tf.Tensor, tf.Tensor];

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
  sigmoid: <T extends tf.Tensor>(x: T) => T;
  tanh: <T extends tf.Tensor>(x: T) => T;
  /** log softmax over the last axis: [N, V] → [N, V]. */
  logSoftmax: (x: tf.Tensor2D) => tf.Tensor2D;
  /** −log softmax(logits)[target] per row: logits [N, V], targets [N] int32 → [N]. */
  softmaxCrossEntropy: (logits: tf.Tensor2D, targets: tf.Tensor1D) => tf.Tensor1D;
  stepWeight: (w: tf.Tensor2D) => SharedWeight;
  additiveScorer: (keys: tf.Tensor3D) => AdditiveScorer;
  /** Σ_i α_i a_i: alpha [N, L] (row n attends image ⌊n / (N / G)⌋), features [G, L, D] → [N, D]. */
  attendedSum: (alpha: tf.Tensor2D, features: tf.Tensor3D) => tf.Tensor2D;
  /** The LSTM nonlinearities: gate pre-activations [B, 4H] (i, f, o, g) and c_{t−1} [B, H] → h_t, c_t. */
  lstmCell: (preactivations: tf.Tensor2D, cPrev: tf.Tensor2D) => CellState;
  topK: TopK;
  /** No reference: tfjs's Adam is (src/train/fused-adam.ts). */
  adamUpdate: AdamUpdate;
}

export type FastPathName = keyof FastPaths;
export type FastPathSet = Partial<FastPaths>;

/** Which fast paths a backend runs: the one place that decides. */
export function fastPathsFor(backend: string): FastPathSet {
  switch (backend) {
    case 'tensorflow': {
      const native = nativeFastPaths(); // (the fused kernels only when loaded and enabled)
      return { ...commonFastPaths(native.matMul), ...native };
    }
    case 'wasm':
      return { ...commonFastPaths(wasmFastPaths.matMul), ...wasmFastPaths };
    default:
      return commonFastPaths(stockMatMul);
  }
}

export const FAST_PATHS_ENV = 'CAPTION_FAST_PATHS';

/** `off`, `0` or `none` turn every fast path off; unset or anything else leaves them on. */
export function parseFastPathsSwitch(value: string | undefined): boolean {
  return !['off', '0', 'none', 'false'].includes((value ?? '').trim().toLowerCase());
}

let fastPathsOn = parseFastPathsSwitch((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[FAST_PATHS_ENV]);
let switchGeneration = 0;

/** Turns every fast path on or off (in-process; the environment's setting is only the start); returns the previous setting. */
export function setFastPaths(on: boolean): boolean {
  const was = fastPathsOn;
  fastPathsOn = on;
  switchGeneration++;
  return was;
}

let active: { backend: string; generation: string; paths: FastPathSet } | null = null;

/** The active backend's set, rebuilt only when the backend or a switch changes. */
function activeFastPaths(): FastPathSet {
  const backend = tf.getBackend();
  const generation = `${fusedKernelsGeneration()}/${switchGeneration}`;
  if (active?.backend !== backend || active.generation !== generation) active = { backend, generation, paths: fastPathsOn ? fastPathsFor(backend) : {} };
  return active.paths;
}

/** The active backend's fast path for `name`, if it has one. */
export function fastPath<K extends FastPathName>(name: K): FastPaths[K] | undefined {
  return activeFastPaths()[name];
}

const references = new Map<FastPathName, unknown>();

/** `reference`, run as the active backend's fast path of the same name when it has one. */
export function dispatched<K extends FastPathName>(name: K, reference: FastPaths[K]): FastPaths[K] {
  references.set(name, reference);
  const call = (...args: unknown[]): unknown => {
    const f = (activeFastPaths()[name] ?? reference) as (...a: unknown[]) => unknown;
    return f(...args);
  };
  return call as FastPaths[K];
}

/** The plain-tfjs reference of a dispatched op (for tests), once the module declaring it is loaded. */
export function referenceOf<K extends FastPathName>(name: K): FastPaths[K] | undefined {
  return references.get(name) as FastPaths[K] | undefined;
}
