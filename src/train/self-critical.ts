/**
 * Self-critical sequence training (Rennie et al. 2017), with the mean-of-other-samples baseline:
 * for each image, k captions are sampled from the model; each gets the reward r = CIDEr-D against the
 * image's references (cider-reward.ts, end token included); the baseline b of a sample is the mean
 * reward of its image's other k − 1 samples; the loss is
 *     −(1 / (B·k)) Σ (r − b) · log P(sampled caption)
 * summed over the sampled words up to and including the first <end>. Sampling and the re-scoring
 * forward pass both run without dropout, so the gradient is the one of the distribution sampled from.
 * <unk> is never sampled. Seeded per step: a resumed run samples exactly what the uncut one did.
 *
 * With attention targets (attention-targets.ts), the sampled words that name a class with a map for
 * their image also have their attention supervised, as in cross-entropy training
 * (attention-supervision.ts): the loss gains strength · Σ weight · (−Σ_i target_i log α_i) / (B·k),
 * from the same re-scoring pass. SCST optimises the caption, not the looking; this keeps the looking.
 */
import * as tf from '../util/tf.js';
import { END_ID, PAD_ID, START_ID, UNK_ID, type Vocabulary } from '../data/vocabulary.js';
import { sampleCaptions } from '../search/sample.js';
import { deriveSeed } from '../util/random.js';
import { batchAttentionTargets, type AttentionTargets } from './attention-targets.js';
import { CiderReward, meanOfOthersBaseline } from './cider-reward.js';
import type { Objective, StepContext } from './objective.js';

export interface SelfCriticalOptions {
  reward: CiderReward;
  vocab: Vocabulary;
  /** Samples per image (k ≥ 2). */
  samples: number;
  maxWords: number;
  seed: number;
  /** Supervise the sampled class words' attention (see the top of this file). */
  attention?: { targets: AttentionTargets; strength: number };
}

/** What sampling never draws, and what the re-scoring gives no probability: one list for both. */
const SAMPLING_EXCLUDED = [PAD_ID, START_ID, UNK_ID];

interface Prepared {
  tokens: tf.Tensor2D; // [B·k, T + 1] <start> sampled words <end> <pad>…
  mask: tf.Tensor2D; // [B·k, T + 1]
  rows: tf.Tensor1D; // [B·k] int32: the image of each sample
  advantage: tf.Tensor1D; // [B·k] r − b
  words: number;
  reward: number;
  attentionTargets?: { targets: tf.Tensor3D; weights: tf.Tensor2D }; // [T, B·k, L], [T, B·k]
}

export function selfCriticalObjective(o: SelfCriticalOptions): Objective<Prepared> {
  if (!Number.isInteger(o.samples) || o.samples < 2) throw new RangeError(`SCST needs at least 2 samples per image (got ${o.samples})`);
  const k = o.samples;
  return {
    name: 'scst',
    prepare({ decoder, batch, keys, step }: StepContext): Prepared {
      const sampled = sampleCaptions(decoder, batch.features, {
        samples: k,
        maxLength: o.maxWords,
        seed: deriveSeed(o.seed, 0x5c57, step),
        suppressTokens: SAMPLING_EXCLUDED,
      });
      const rewards = sampled.map((c) => o.reward.score(keys[c.image]!, o.vocab.decode(c.tokens), c.finished));
      const baseline = meanOfOthersBaseline(rewards, k);
      const width = Math.max(...sampled.map((c) => c.tokens.length + (c.finished ? 1 : 0))) + 1; // T + 1
      const ids = new Int32Array(sampled.length * width);
      const mask = new Float32Array(sampled.length * width);
      let words = 0;
      sampled.forEach((c, r) => {
        const seq = [START_ID, ...c.tokens, ...(c.finished ? [END_ID] : [])]; // the gradient reaches the first <end>
        seq.forEach((id, t) => {
          ids[r * width + t] = id;
          mask[r * width + t] = 1;
        });
        words += seq.length - 1;
      });
      const B = sampled.length;
      const L = batch.features.shape[1];
      let attentionTargets: Prepared['attentionTargets'];
      if (o.attention) {
        const rows = Array.from({ length: B }, (_, r) => Array.from(ids.subarray(r * width, (r + 1) * width)));
        const made = batchAttentionTargets(
          o.attention.targets,
          o.vocab,
          sampled.map((c) => keys[c.image]!),
          rows,
          L,
        );
        attentionTargets = {
          targets: tf.tensor3d(made.targets, [width - 1, B, L]), // [T, B·k, L]
          weights: tf.tensor2d(made.weights, [width - 1, B]), // [T, B·k]
        };
      }
      return {
        tokens: tf.tensor2d(ids, [sampled.length, width], 'int32'),
        mask: tf.tensor2d(mask, [sampled.length, width]),
        rows: tf.tensor1d(
          sampled.map((c) => c.image),
          'int32',
        ),
        advantage: tf.tensor1d(rewards.map((r, i) => r - baseline[i]!)),
        words,
        reward: rewards.reduce((a, b) => a + b, 0) / rewards.length,
        ...(attentionTargets ? { attentionTargets } : {}),
      };
    },
    loss({ decoder, batch }: StepContext, p: Prepared) {
      const features = tf.gather(batch.features, p.rows); // [B·k, L, D]
      // −log P under the distribution sampled from: <pad>, <start>, <unk> removed and the rest renormalised.
      const supervised = p.attentionTargets && o.attention ? { ...p.attentionTargets, strength: o.attention.strength } : undefined;
      const { nll, attentionSupervision } = decoder.sequenceLosses(
        features,
        p.tokens,
        p.mask,
        { training: false, ...(supervised ? { attentionTargets: supervised } : {}) },
        SAMPLING_EXCLUDED,
      ); // [B·k], []
      const policy = tf.mean(tf.mul(p.advantage, nll)); // −mean (r − b) log P
      const loss = tf.add(policy, attentionSupervision) as tf.Scalar;
      const crossEntropy = tf.div(tf.sum(nll), Math.max(1, p.words)) as tf.Scalar; // per sampled word
      return { loss, crossEntropy, penalty: attentionSupervision };
    },
    release(p: Prepared) {
      tf.dispose([p.tokens, p.mask, p.rows, p.advantage]);
      if (p.attentionTargets) tf.dispose([p.attentionTargets.targets, p.attentionTargets.weights]);
    },
  };
}
