/**
 * The teacher-forced forward pass: given the true previous words y_0..y_{T−1} (y_0 = <start>), run
 * attention + LSTM over all T steps, then the deep output for all steps at once.
 *
 * Only the recurrence is sequential: one `core` step (attention and the LSTM) per word. The embedding lookup
 * and the deep output (one [T·B, E] × [E, V] matmul) are batched over all steps. Rows are time-major
 * (row t·B + b).
 */
import * as tf from '../util/tf.js';
import { prepareMemory, type RegionSelector } from './attention.js';
import type { DecoderConfig } from './config.js';
import { core, coreWeights } from './core.js';
import { deepOutput, type OutputDropout } from './deep-output.js';
import { initialState } from './initial-state.js';
import type { DecoderParameters } from './parameters.js';
import { tidy } from './tidy.js';

export interface ForwardOptions {
  /** Dropout on (training) or off (default). */
  training?: boolean;
  /** [B, L], 1 = region visible, 0 = masked out of attention (and of the initial-state mean). */
  regionMask?: tf.Tensor2D;
  /** Seed for this call's dropout masks (default unseeded; vary it per training step if you set it). */
  dropoutSeed?: number;
  /**
   * Hard attention (§4.1): the regions step t's context is made of (e.g. `sampleRegions(seed)`);
   * default soft attention, the expectation over α.
   */
  selectRegions?: (t: number) => RegionSelector;
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
  /** With `selectRegions`: the regions each step's context was made of (one-hot rows). */
  regions?: tf.Tensor3D; // [T, B, L]
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
  const memory = prepareMemory(params, cfg.scoring, features, options.regionMask);
  const weights = coreWeights(params, cfg.scoring);
  let { h, c } = initialState(params, features, memory.maskBias); // [B, H] each

  // E y_{t−1} for every step in one lookup; each step then feeds its rows to the core.
  const ids = tf.reshape(tf.transpose(inputTokens), [T * B]) as tf.Tensor1D; // [T·B]
  const embedded = tf.gather(params.get('embedding'), ids) as tf.Tensor2D; // [T·B, E]
  const embeddedPerStep = tf.unstack(tf.reshape(embedded, [T, B, -1])) as tf.Tensor2D[]; // T × [B, E]

  const hs: tf.Tensor2D[] = [];
  const zs: tf.Tensor2D[] = [];
  const alphas: tf.Tensor2D[] = [];
  const betas: tf.Tensor2D[] = [];
  const selected: tf.Tensor2D[] = [];
  for (let t = 0; t < T; t++) {
    const out = core(weights, memory, embeddedPerStep[t]!, h, c, options.selectRegions?.(t)); // [B, ·] each
    ({ h, c } = out);
    if (options.selectRegions) selected.push(out.regions);
    hs.push(h);
    zs.push(out.context);
    alphas.push(out.alpha);
    betas.push(out.beta);
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
    ...(selected.length ? { regions: tf.stack(selected) as tf.Tensor3D } : {}), // [T, B, L]
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
