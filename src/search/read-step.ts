/** Copies one step's outputs to JS and releases the tensors (search works on plain arrays). */
import type { StepResult } from './types.js';

export interface StepArrays {
  logProbs: Float32Array; // [N·V]
  alpha: Float32Array; // [N·L]
  beta: Float32Array; // [N]
  vocabSize: number;
  regions: number;
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
    out.logProbs.dispose();
    out.alpha.dispose();
    out.beta.dispose();
  }
}

/** α of row r as a plain array. */
export function alphaRow(s: StepArrays, r: number): number[] {
  return Array.from(s.alpha.subarray(r * s.regions, (r + 1) * s.regions));
}
