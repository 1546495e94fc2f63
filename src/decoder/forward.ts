/**
 * The teacher-forced forward pass: given the true previous words y_0..y_{T−1} (y_0 = <start>), run
 * attention + LSTM over all T steps, then the deep output for all steps at once.
 *
 * Only the recurrence is sequential. Everything else is batched over steps: the embedding lookup and
 * its share of the LSTM gates (one [T·B, E] × [E, 4H] matmul), and the deep output (one [T·B, E] ×
 * [E, V] matmul). Rows are time-major (row t·B + b) so each step's slice is contiguous.
 */
import * as tf from '@tensorflow/tfjs';
import { attend, attentionWeights, prepareMemory } from './attention.js';
import type { DecoderConfig } from './config.js';
import { deepOutput, type OutputDropout } from './deep-output.js';
import { matMul, StepWeight } from './fast-ops.js';
import { initialState } from './initial-state.js';
import { lstmCell } from './lstm.js';
import type { DecoderParameters } from './parameters.js';
import { tidy } from './tidy.js';

export interface ForwardOptions {
  /** Dropout on (training) or off (default). */
  training?: boolean;
  /** [B, L], 1 = region visible, 0 = masked out of attention (and of the initial-state mean). */
  regionMask?: tf.Tensor2D;
  /** Seed for this call's dropout masks (default unseeded; vary it per training step if you set it). */
  dropoutSeed?: number;
}

export interface ForwardOutput {
  logits: tf.Tensor3D; // [B, T, V]
  alphas: tf.Tensor3D; // [B, T, L]
  betas: tf.Tensor2D; // [B, T]
}

/** The forward pass in time-major layout, as the loss consumes it. */
export interface Unrolled {
  logits: tf.Tensor2D; // [T·B, V], row t·B + b
  alphas: tf.Tensor3D; // [T, B, L]
  betas: tf.Tensor2D; // [T, B]
}

export function checkInputs(cfg: DecoderConfig, features: tf.Tensor, tokens: tf.Tensor, what = 'input tokens'): void {
  if (features.rank !== 3 || features.shape[2] !== cfg.featureDim) {
    throw new RangeError(`features must be [B, L, ${cfg.featureDim}], got [${features.shape.join(', ')}]`);
  }
  if (tokens.rank !== 2 || tokens.shape[0] !== features.shape[0]) {
    throw new RangeError(`${what} must be [B, T] with B = ${features.shape[0]}, got [${tokens.shape.join(', ')}]`);
  }
  if (tokens.dtype !== 'int32') throw new TypeError(`${what} must be int32, got ${tokens.dtype}`);
}

/** The whole unroll; call inside tf.tidy (or a gradient function), it leaves its intermediates to it. */
export function unroll(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  inputTokens: tf.Tensor2D,
  options: ForwardOptions = {},
): Unrolled {
  const [B, T] = inputTokens.shape;
  const { embedDim: E, hiddenDim: H } = cfg;
  const memory = prepareMemory(params, cfg.scoring, features, options.regionMask);
  const att = attentionWeights(params, cfg.scoring, T);
  let { h, c } = initialState(params, features, memory.maskBias); // [B, H] each

  // E y_{t−1} for every step, and its part of the gate pre-activations (plus the bias), in one matmul.
  const ids = tf.reshape(tf.transpose(inputTokens), [T * B]) as tf.Tensor1D; // [T·B]
  const embedded = tf.gather(params.get('embedding'), ids) as tf.Tensor2D; // [T·B, E]
  const kernel = params.get('lstm/kernel') as tf.Tensor2D; // [E + D + H, 4H]
  const kernelFromWord = tf.slice(kernel, [0, 0], [E, 4 * H]); // [E, 4H]
  const recurrent = new StepWeight(tf.slice(kernel, [E, 0], [-1, 4 * H]), T); // [D + H, 4H]
  const wordGates = tf.add(matMul(embedded, kernelFromWord), params.get('lstm/bias')); // [T·B, 4H]
  const wordGatesPerStep = tf.unstack(tf.reshape(wordGates, [T, B, 4 * H])) as tf.Tensor2D[]; // T × [B, 4H]

  const hs: tf.Tensor2D[] = [];
  const zs: tf.Tensor2D[] = [];
  const alphas: tf.Tensor2D[] = [];
  const betas: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const { alpha, beta, context } = attend(memory, h, att); // [B, L], [B, 1], [B, D]
    const zh = tf.concat([context, h], 1) as tf.Tensor2D; // [B, D + H]
    const pre = tf.add(wordGatesPerStep[t]!, recurrent.apply(zh)) as tf.Tensor2D; // [B, 4H]
    ({ h, c } = lstmCell(pre, c)); // [B, H] each
    hs.push(h);
    zs.push(context);
    alphas.push(alpha);
    betas.push(beta);
  }

  const dropout: OutputDropout | null = options.training
    ? { rate: cfg.dropout, hiddenRate: cfg.hiddenDropout, seed: options.dropoutSeed }
    : null;
  const allH = tf.concat(hs, 0) as tf.Tensor2D; // [T·B, H]
  const allZ = tf.concat(zs, 0) as tf.Tensor2D; // [T·B, D]
  return {
    logits: deepOutput(params, embedded, allH, allZ, dropout), // [T·B, V]
    alphas: tf.stack(alphas) as tf.Tensor3D, // [T, B, L]
    betas: tf.reshape(tf.stack(betas), [T, B]) as tf.Tensor2D, // [T, B]
  };
}

/** Teacher-forced forward, batch-major outputs: logits [B, T, V], alphas [B, T, L], betas [B, T]. */
export function teacherForcedForward(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  inputTokens: tf.Tensor2D,
  options: ForwardOptions = {},
): ForwardOutput {
  checkInputs(cfg, features, inputTokens);
  return tidy(() => {
    const [B, T] = inputTokens.shape;
    const out = unroll(params, cfg, features, inputTokens, options);
    return {
      logits: tf.transpose(tf.reshape(out.logits, [T, B, -1]), [1, 0, 2]) as tf.Tensor3D, // [B, T, V]
      alphas: tf.transpose(out.alphas, [1, 0, 2]) as tf.Tensor3D, // [B, T, L]
      betas: tf.transpose(out.betas) as tf.Tensor2D, // [B, T]
    };
  });
}
