/**
 * The soft-attention caption decoder: one object holding the config and weights, exposing the
 * teacher-forced forward, the loss, and the step API that `src/search/` searches over.
 */
import type * as tf from '../util/tf.js';
import { resolveDecoderConfig, type DecoderConfig, type DecoderConfigInput } from './config.js';
import { teacherForcedForward, type ForwardOptions, type ForwardOutput } from './forward.js';
import type { ContextMode } from './context-mode.js';
import { computeHardAttentionLoss, type HardAttentionLossOptions, type HardAttentionLossOutput } from './hard-attention.js';
import { computeLoss, sequenceLosses, type LossOptions, type LossOutput, type SequenceLosses } from './loss.js';
import { DecoderParameters } from './parameters.js';
import { disposeState, initState, selectRows, step, type DecoderState, type StepOutput } from './step.js';

export interface CreateDecoderOptions {
  /** Start from these weights (e.g. a checkpoint's) instead of the seeded initialisers. */
  weights?: Map<string, tf.Tensor>;
}

export class AttentionDecoder {
  readonly config: DecoderConfig;
  readonly params: DecoderParameters;

  constructor(config: DecoderConfigInput, options: CreateDecoderOptions = {}) {
    this.config = resolveDecoderConfig(config);
    this.params = DecoderParameters.create(this.config, options.weights);
  }

  /** Teacher-forced pass over inputTokens [B, T] (starting with <start>). */
  forward(features: tf.Tensor3D, inputTokens: tf.Tensor2D, options?: ForwardOptions): ForwardOutput {
    return teacherForcedForward(this.params, this.config, features, inputTokens, options);
  }

  /** Masked cross-entropy + doubly stochastic penalty; tokens/mask [B, T + 1] (see loss.ts). */
  computeLoss(features: tf.Tensor3D, tokens: tf.Tensor2D, mask: tf.Tensor2D, options?: LossOptions): LossOutput {
    return computeLoss(this.params, this.config, features, tokens, mask, options);
  }

  /** Hard attention's training loss (§4.1, the estimated variational bound); tokens/mask as for computeLoss. */
  computeHardAttentionLoss(
    features: tf.Tensor3D,
    tokens: tf.Tensor2D,
    mask: tf.Tensor2D,
    options: HardAttentionLossOptions,
  ): HardAttentionLossOutput {
    return computeHardAttentionLoss(this.params, this.config, features, tokens, mask, options);
  }

  /** −log P of each caption [B] (summed over its real tokens); tokens/mask [B, T + 1] as for computeLoss. */
  sequenceCrossEntropy(
    features: tf.Tensor3D,
    tokens: tf.Tensor2D,
    mask: tf.Tensor2D,
    options?: LossOptions,
    excluded?: readonly number[],
  ): tf.Tensor1D {
    const { attentionTargets: _, ...plain } = options ?? {};
    const { nll, attentionSupervision } = sequenceLosses(this.params, this.config, features, tokens, mask, plain, excluded);
    attentionSupervision.dispose();
    return nll;
  }

  /** Each caption's −log P [B] and, with `options.attentionTargets`, the supervision of its class words' attention. */
  sequenceLosses(
    features: tf.Tensor3D,
    tokens: tf.Tensor2D,
    mask: tf.Tensor2D,
    options?: LossOptions,
    excluded?: readonly number[],
  ): SequenceLosses {
    return sequenceLosses(this.params, this.config, features, tokens, mask, options, excluded);
  }

  initState(features: tf.Tensor3D, regionMask?: tf.Tensor2D, contextMode?: ContextMode): DecoderState {
    return initState(this.params, this.config, features, regionMask, contextMode);
  }

  step(state: DecoderState, prevTokens: tf.Tensor1D | readonly number[]): StepOutput {
    return step(this.params, this.config, state, prevTokens);
  }

  selectRows(state: DecoderState, rows: readonly number[]): DecoderState {
    return selectRows(state, rows);
  }

  disposeState(state: DecoderState): void {
    disposeState(state);
  }

  /** Name → live variable (do not dispose); the names are the checkpoint keys. */
  getWeights(): Map<string, tf.Tensor> {
    return this.params.getWeights();
  }

  setWeights(weights: Map<string, tf.Tensor>): void {
    this.params.setWeights(weights);
  }

  /** For `optimizer.minimize(f, returnCost, varList)` / `tf.variableGrads(f, varList)`. */
  trainableVariables(): tf.Variable[] {
    return this.params.trainableVariables();
  }

  dispose(): void {
    this.params.dispose();
  }
}

export function createDecoder(config: DecoderConfigInput, options: CreateDecoderOptions = {}): AttentionDecoder {
  return new AttentionDecoder(config, options);
}
