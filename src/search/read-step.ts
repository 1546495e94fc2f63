/** Copies one step's outputs to JS and releases the tensors (search works on plain arrays). */
import * as tf from '../util/tf.js';
import { dispatched } from '../fast-paths/dispatch.js';
import type { StepResult } from './types.js';

export interface StepArrays {
  logProbs: Float32Array; // [N·V]
  alpha: Float32Array; // [N·L]
  beta: Float32Array; // [N]
  vocabSize: number;
  regions: number;
}

/** A step's best words per row, chosen on the device: what greedy and beam search read instead of N·V log-probs. */
export interface TopStepArrays {
  /** Row r's `count` best log-probabilities, best first: values[r·count + i] (suppressed ids are −∞). */
  values: Float32Array; // [N·count]
  /** Their word ids; equal log-probabilities come lower id first. */
  ids: Int32Array; // [N·count]
  count: number;
  alpha: Float32Array; // [N·L]
  beta: Float32Array; // [N]
  regions: number;
}

function release<S>(out: StepResult<S>): void {
  out.logProbs.dispose();
  out.alpha.dispose();
  out.beta.dispose();
}

export function readStep<S>(out: StepResult<S>): StepArrays {
  const [, V] = out.logProbs.shape;
  const [, L] = out.alpha.shape;
  try {
    return {
      logProbs: out.logProbs.dataSync() as Float32Array,
      alpha: out.alpha.dataSync() as Float32Array,
      beta: out.beta.dataSync() as Float32Array,
      vocabSize: V,
      regions: L,
    };
  } finally {
    release(out);
  }
}

/**
 * Adds −∞ at the ids a search never generates, so that the device's top-k skips them: a [V] tensor
 * (0 elsewhere) for readTopWords. Ids outside the vocabulary are ignored.
 */
export function suppressionBias(suppressed: readonly number[], V: number): tf.Tensor1D {
  const bias = new Float32Array(V);
  for (const v of suppressed) if (Number.isInteger(v) && v >= 0 && v < V) bias[v] = -Infinity;
  return tf.tensor1d(bias); // [V]
}

/** The k best of x + bias per row, as tfjs's topk (sorted); the native backend's fused kernel runs it row-parallel. */
const topK = dispatched(
  'topK',
  (x: tf.Tensor2D, bias: tf.Tensor1D, k: number) => tf.topk(tf.add(x, bias), k, true) as { values: tf.Tensor2D; indices: tf.Tensor2D },
);

/** The `count` best words of every row (top-k on the device) with α and β, and releases the step's tensors. */
export function readTopWords<S>(out: StepResult<S>, count: number, bias: tf.Tensor1D): TopStepArrays {
  const [, V] = out.logProbs.shape;
  const [, L] = out.alpha.shape;
  const k = Math.min(count, V);
  try {
    const top = tf.tidy(() => topK(out.logProbs, bias, k)); // values, indices [N, k]
    try {
      return {
        values: top.values.dataSync() as Float32Array,
        ids: top.indices.dataSync() as Int32Array,
        count: k,
        alpha: out.alpha.dataSync() as Float32Array,
        beta: out.beta.dataSync() as Float32Array,
        regions: L,
      };
    } finally {
      tf.dispose([top.values, top.indices]);
    }
  } finally {
    release(out);
  }
}

/** α of row r as a plain array. */
export function alphaRow(s: { alpha: Float32Array; regions: number }, r: number): number[] {
  const out = new Array<number>(s.regions);
  for (let i = 0, base = r * s.regions; i < s.regions; i++) out[i] = s.alpha[base + i]!;
  return out;
}
