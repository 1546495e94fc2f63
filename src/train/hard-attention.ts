/**
 * Training with hard attention (Xu et al. 2015 §4.1; the authors' code where the paper is silent):
 * on each minibatch, with probability `expectedProbability` (published: 0.5) the expected context
 * (soft attention, the cross-entropy objective), otherwise one region per step sampled from α and the
 * estimated variational bound (src/decoder/hard-attention.ts). The baseline b of the learning signal
 * is a moving average of log p(y | s̃, a) over the sampled minibatches, b ← 0.9 b + 0.1 · mean log p,
 * starting at 0 (as the authors' code); it is part of the saved training state, and every draw (the
 * coin and the regions) is seeded by the step, so `--resume` continues exactly.
 */
import * as tf from '../util/tf.js';
import { sampleRegions } from '../decoder/attention.js';
import { deriveSeed, mulberry32 } from '../util/random.js';
import type { Objective, StepContext } from './objective.js';

export interface HardAttentionOptions {
  seed: number;
  /** Probability of a minibatch with the expected context instead of sampled regions. */
  expectedProbability: number;
  /** λ_r times the learning signal's scale (published: 1 × 1/10). */
  signalWeight: number;
  /** λ_e (published: 0.002). */
  entropyWeight: number;
  /** b ← decay · b + (1 − decay) · mean log p(y | s̃, a) (published: 0.9). */
  baselineDecay: number;
}

export { HARD_ATTENTION_DEFAULTS } from './hard-attention-defaults.js';

interface Prepared {
  /** This minibatch uses the expected context. */
  expected: boolean;
  /** Seeds step t's regions as deriveSeed(regionSeed, t). */
  regionSeed: number;
  /** Set by `loss` on a sampled minibatch: mean log p(y | s̃, a) over its captions. */
  logLikelihood?: tf.Scalar;
}

export interface HardAttentionObjective extends Objective<Prepared> {
  /** The moving-average baseline b. */
  readonly baseline: number;
}

export function hardAttentionObjective(o: HardAttentionOptions): HardAttentionObjective {
  if (!(o.expectedProbability >= 0 && o.expectedProbability <= 1))
    throw new RangeError(`expected-context probability must be in [0, 1], got ${o.expectedProbability}`);
  let baseline = 0;
  return {
    name: 'hard',
    get baseline() {
      return baseline;
    },
    prepare({ step }: StepContext): Prepared {
      return {
        expected: mulberry32(deriveSeed(o.seed, 0x4a7d, step))() < o.expectedProbability,
        regionSeed: deriveSeed(o.seed, 0x5a3e, step),
      };
    },
    loss({ decoder, batch, dropoutSeed }: StepContext, p: Prepared) {
      if (p.expected) {
        const out = decoder.computeLoss(batch.features, batch.tokens, batch.mask, { training: true, dropoutSeed });
        return { loss: out.loss, crossEntropy: out.crossEntropy, penalty: out.attentionPenalty };
      }
      const out = decoder.computeHardAttentionLoss(batch.features, batch.tokens, batch.mask, {
        select: (t) => sampleRegions(deriveSeed(p.regionSeed, t)),
        baseline,
        signalWeight: o.signalWeight,
        entropyWeight: o.entropyWeight,
        training: true,
        dropoutSeed,
      });
      p.logLikelihood = tf.keep(tf.mean(out.logLikelihood) as tf.Scalar);
      return { loss: out.loss, crossEntropy: out.crossEntropy, penalty: out.attentionPenalty };
    },
    afterStep(p: Prepared) {
      if (p.logLikelihood) baseline = o.baselineDecay * baseline + (1 - o.baselineDecay) * p.logLikelihood.dataSync()[0]!;
    },
    release(p: Prepared) {
      p.logLikelihood?.dispose();
    },
    state: () => ({ baseline }),
    restore(state) {
      if (typeof state['baseline'] !== 'number' || !Number.isFinite(state['baseline']))
        throw new RangeError('hard attention: the saved state has no finite baseline');
      baseline = state['baseline'];
    },
  };
}
