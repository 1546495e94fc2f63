/**
 * What a training step minimises. Cross-entropy (Xu et al. eq. 14, teacher forcing on the dataset's
 * captions) is the default; self-critical sequence training (self-critical.ts) is the other. A step
 * first `prepare`s the batch outside the gradient tape (SCST samples and scores captions there), then
 * computes the `loss` inside it.
 */
import type * as tf from '../util/tf.js';
import type { AttentionDecoder } from '../decoder/decoder.js';
import type { BatchTensors } from './batch-tensors.js';

export interface StepContext {
  decoder: AttentionDecoder;
  batch: BatchTensors;
  /** The images of the batch, in row order. */
  keys: readonly string[];
  /** The optimizer step (seeds dropout and sampling). */
  step: number;
  dropoutSeed: number;
}

interface ObjectiveLoss {
  loss: tf.Scalar;
  /** Logged per epoch: mean −log p per target word, and the attention penalty (0 if none). */
  crossEntropy: tf.Scalar;
  penalty: tf.Scalar;
}

export interface Objective<P = unknown> {
  readonly name: 'xe' | 'scst' | 'hard';
  /** Work outside the gradient tape; its result reaches `loss`. `reward` is logged when given. */
  prepare(ctx: StepContext): P & { reward?: number };
  /** The loss, inside tf.variableGrads. */
  loss(ctx: StepContext, prepared: P): ObjectiveLoss;
  /** After the step's update was applied (e.g. a moving-average baseline learns from it). */
  afterStep?(prepared: P): void;
  /** Frees what `prepare` and `loss` kept (after the step, applied or not). */
  release(prepared: P): void;
  /** What the objective itself learns across steps, for the resumable checkpoint (numbers only). */
  state?(): Record<string, number>;
  restore?(state: Record<string, number>): void;
}

/** The paper's objective: −log P(caption) + λ Σ_i (1 − Σ_t α_ti)², teacher-forced, dropout on. */
export const crossEntropyObjective: Objective<Record<string, never>> = {
  name: 'xe',
  prepare: () => ({}),
  loss: ({ decoder, batch, dropoutSeed }) => {
    const out = decoder.computeLoss(batch.features, batch.tokens, batch.mask, { training: true, dropoutSeed });
    return { loss: out.loss, crossEntropy: out.crossEntropy, penalty: out.attentionPenalty };
  },
  release: () => {},
};
