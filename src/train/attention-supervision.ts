/**
 * Cross-entropy training with attention supervision: the paper's objective (objective.ts) plus, for
 * the caption words that name a class with a map in the attention targets (attention-targets.ts),
 * strength · −Σ_i target_i log α_i at that word's step (decoder/loss.ts, `attentionTargets`).
 */
import * as tf from '../util/tf.js';
import type { Vocabulary } from '../data/vocabulary.js';
import { batchAttentionTargets, type AttentionTargets } from './attention-targets.js';
import type { Objective } from './objective.js';

interface Prepared {
  targets: tf.Tensor3D; // [T, B, L]
  weights: tf.Tensor2D; // [T, B]
}

export function attentionSupervisedObjective(targets: AttentionTargets, vocab: Vocabulary, strength: number): Objective<Prepared> {
  return {
    name: 'xe',
    prepare: ({ batch, keys }) => {
      const [B, width] = batch.tokens.shape;
      const L = batch.features.shape[1];
      const rows = batch.tokens.arraySync() as number[][];
      const made = batchAttentionTargets(targets, vocab, keys, rows, L);
      return {
        targets: tf.tensor3d(made.targets, [width - 1, B, L]), // [T, B, L]
        weights: tf.tensor2d(made.weights, [width - 1, B]), // [T, B]
      };
    },
    loss: ({ decoder, batch, dropoutSeed }, prepared) => {
      const out = decoder.computeLoss(batch.features, batch.tokens, batch.mask, {
        training: true,
        dropoutSeed,
        attentionTargets: { ...prepared, strength },
      });
      return { loss: out.loss, crossEntropy: out.crossEntropy, penalty: out.attentionPenalty };
    },
    release: (prepared) => tf.dispose([prepared.targets, prepared.weights]),
  };
}
