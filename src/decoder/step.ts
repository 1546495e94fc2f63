/**
 * One decoding step at a time (inference: no dropout), for greedy and beam search.
 *
 * A state holds N rows (hypotheses). Each row belongs to a `group`: the image row it was started from
 * in `initState`. Rows of one group share the same attention memory, so reordering rows within their
 * groups (what beam search does every step) only gathers h and c, never the [N, L, D] features.
 *
 * States own their tensors (memory tensors are cheap clones sharing data): dispose each state you no
 * longer need with `disposeState`, including the input state after `step` / `selectRows`.
 */
import * as tf from '@tensorflow/tfjs';
import { attend, attentionWeights, prepareMemory, type AttentionMemory } from './attention.js';
import type { DecoderConfig } from './config.js';
import { deepOutput } from './deep-output.js';
import { matMul } from './fast-ops.js';
import { checkInputs } from './forward.js';
import { initialState } from './initial-state.js';
import { lstmCell } from './lstm.js';
import type { DecoderParameters } from './parameters.js';
import { tidy } from './tidy.js';

export interface DecoderState {
  memory: AttentionMemory; // features [N, L, D], keys [N, L, ·], maskBias [N, L]
  h: tf.Tensor2D; // [N, H]
  c: tf.Tensor2D; // [N, H]
  /** group[r] = the initState row whose image row r decodes. */
  group: readonly number[];
}

export interface StepOutput {
  /** log p(y_t | …) over the vocabulary. */
  logProbs: tf.Tensor2D; // [N, V]
  alpha: tf.Tensor2D; // [N, L]
  beta: tf.Tensor1D; // [N]
  state: DecoderState;
}

function cloneMemory(m: AttentionMemory): AttentionMemory {
  return {
    features: tf.clone(m.features),
    keys: m.keys && tf.clone(m.keys),
    maskBias: m.maskBias && tf.clone(m.maskBias),
  };
}

function gatherMemory(m: AttentionMemory, rows: tf.Tensor1D): AttentionMemory {
  return {
    features: tf.gather(m.features, rows) as tf.Tensor3D, // [N', L, D]
    keys: m.keys && (tf.gather(m.keys, rows) as tf.Tensor3D), // [N', L, ·]
    maskBias: m.maskBias && (tf.gather(m.maskBias, rows) as tf.Tensor2D), // [N', L]
  };
}

/** Attention memory and (h_0, c_0) for features [B, L, D] (copied into the state). */
export function initState(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  regionMask?: tf.Tensor2D,
): DecoderState {
  if (features.rank !== 3 || features.shape[2] !== cfg.featureDim) {
    throw new RangeError(`features must be [B, L, ${cfg.featureDim}], got [${features.shape.join(', ')}]`);
  }
  const B = features.shape[0];
  const { memory, h, c } = tidy(() => {
    const mem = prepareMemory(params, cfg.scoring, features, regionMask);
    const s = initialState(params, mem.features, mem.maskBias);
    return { memory: cloneMemory(mem), h: s.h, c: s.c };
  });
  return { memory, h, c, group: Array.from({ length: B }, (_, i) => i) };
}

/** Feeds y_{t−1} (prevTokens, [N] int32) and returns p(y_t), α_t, β_t and the next state. */
export function step(
  params: DecoderParameters,
  cfg: DecoderConfig,
  state: DecoderState,
  prevTokens: tf.Tensor1D | readonly number[],
): StepOutput {
  const N = state.h.shape[0];
  const prevLength = Array.isArray(prevTokens) ? prevTokens.length : (prevTokens as tf.Tensor1D).shape[0];
  if (prevLength !== N) throw new RangeError(`step: ${prevLength} previous tokens for ${N} state rows`);
  const out = tidy(() => {
    const prev = Array.isArray(prevTokens) ? tf.tensor1d(prevTokens as number[], 'int32') : (prevTokens as tf.Tensor1D);
    checkInputs(cfg, state.memory.features, tf.expandDims(prev, 1), 'previous tokens');
    const embedded = tf.gather(params.get('embedding'), prev) as tf.Tensor2D; // [N, E]
    const { alpha, beta, context } = attend(state.memory, state.h, attentionWeights(params, cfg.scoring, 1)); // [N, L], [N, 1], [N, D]
    const x = tf.concat([embedded, context, state.h], 1) as tf.Tensor2D; // [N, E + D + H]
    const pre = tf.add(matMul(x, params.get('lstm/kernel') as tf.Tensor2D), params.get('lstm/bias')) as tf.Tensor2D; // [N, 4H]
    const { h, c } = lstmCell(pre, state.c); // [N, H] each
    const logits = deepOutput(params, embedded, h, context, null); // [N, V]
    return {
      logProbs: tf.logSoftmax(logits) as tf.Tensor2D, // [N, V]
      alpha,
      beta: tf.reshape(beta, [N]) as tf.Tensor1D, // [N]
      h,
      c,
      memory: cloneMemory(state.memory),
    };
  });
  return {
    logProbs: out.logProbs,
    alpha: out.alpha,
    beta: out.beta,
    state: { memory: out.memory, h: out.h, c: out.c, group: state.group },
  };
}

/** A state whose row i is `state`'s row rows[i] (expand for beams, reorder after a beam step). */
export function selectRows(state: DecoderState, rows: readonly number[]): DecoderState {
  const N = state.h.shape[0];
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= N) throw new RangeError(`selectRows: row ${r} out of range [0, ${N})`);
  }
  const group = rows.map((r) => state.group[r]!);
  const sameGroups = rows.length === N && group.every((g, i) => g === state.group[i]);
  return tidy(() => {
    const idx = tf.tensor1d(rows as number[], 'int32'); // [N']
    return {
      memory: sameGroups ? cloneMemory(state.memory) : gatherMemory(state.memory, idx),
      h: tf.gather(state.h, idx) as tf.Tensor2D, // [N', H]
      c: tf.gather(state.c, idx) as tf.Tensor2D, // [N', H]
      group,
    };
  });
}

export function disposeState(state: DecoderState): void {
  tf.dispose([state.h, state.c, state.memory.features]);
  if (state.memory.keys) state.memory.keys.dispose();
  if (state.memory.maskBias) state.memory.maskBias.dispose();
}
