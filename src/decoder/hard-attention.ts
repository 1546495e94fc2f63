/**
 * Training hard ("stochastic") attention, Xu et al. 2015 §4.1. At step t the context is one region,
 * ẑ_t = β_t a_{s_t} with s_t ~ Multinoulli(α_t), and the model maximises the variational lower bound
 *   L_s = Σ_s p(s | a) log p(y | s, a)  ≤  log p(y | a)
 * whose gradient is estimated from one sampled path s̃ per caption (eq. 11–12):
 *   ∂L_s/∂W ≈ ∂log p(y | s̃, a)/∂W + λ_r (log p(y | s̃, a) − b) ∂log p(s̃ | a)/∂W + λ_e ∂H[s̃]/∂W
 * b is a moving average of log p(y | s̃, a) (kept by the caller: src/train/hard-attention.ts), H the
 * entropy of the α's. As a loss to minimise (its gradient is minus that estimate), plus the doubly
 * stochastic penalty on α as in soft training:
 *   −log p(y | s̃) − λ_r · [log p(y | s̃) − b] · log p(s̃) − λ_e · H + λ Σ_i (1 − Σ_t α_ti)²
 * where [·] is a constant (no gradient). All three are summed over a caption's real steps and averaged
 * over the B captions, like the cross-entropy.
 */
import * as tf from '../util/tf.js';
import type { RegionSelector } from './attention.js';
import type { DecoderConfig } from './config.js';
import { constant } from './constant.js';
import { attentionPenaltyOf, tokenLosses, type LossOutput } from './loss.js';
import type { DecoderParameters } from './parameters.js';
import { tidy } from './tidy.js';

export interface HardAttentionLossOptions {
  /** The regions of step t (sampleRegions with a per-step seed; givenRegions in tests). */
  select: (t: number) => RegionSelector;
  /** b, the moving average of log p(y | s̃, a). */
  baseline: number;
  /** λ_r (the published recipe: 1, with the learning signal scaled by 1/10, i.e. 0.1). */
  signalWeight: number;
  /** λ_e (published: 0.002). */
  entropyWeight: number;
  training?: boolean;
  dropoutSeed?: number;
}

export interface HardAttentionLossOutput extends LossOutput {
  /** log p(y_b | s̃_b, a_b) per caption [B] (for the baseline's update). */
  logLikelihood: tf.Tensor1D;
}

export function computeHardAttentionLoss(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  tokens: tf.Tensor2D,
  mask: tf.Tensor2D,
  o: HardAttentionLossOptions,
): HardAttentionLossOutput {
  return tidy(() => {
    const forward = {
      selectRegions: o.select,
      ...(o.training !== undefined ? { training: o.training } : {}),
      ...(o.dropoutSeed !== undefined ? { dropoutSeed: o.dropoutSeed } : {}),
    };
    const { m, perToken, alphas, regions } = tokenLosses(params, cfg, features, tokens, mask, forward);
    const nll = tf.sum(tf.mul(perToken, m), 0) as tf.Tensor1D; // [B]  −log p(y | s̃, a)
    const logPath = tf.sum(tf.mul(tf.log(tf.sum(tf.mul(alphas, regions!), 2)), m), 0); // [B]  log p(s̃ | a) = Σ_t log α_t[s̃_t]
    const entropy = tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(alphas, tf.log(tf.maximum(alphas, 1e-30))), 2)), m), 0); // [B]  Σ_t H(α_t)
    const signal = constant(tf.sub(tf.neg(nll), o.baseline)); // [B]  log p(y | s̃) − b
    const captionCrossEntropy = tf.mean(nll) as tf.Scalar; // []
    const attentionPenalty = attentionPenaltyOf(alphas, m, cfg.doublyStochasticLambda); // []
    const scoreFunction = tf.mul(tf.mean(tf.mul(signal, logPath)), o.signalWeight); // []
    const entropyBonus = tf.mul(tf.mean(entropy), o.entropyWeight); // []
    const loss = tf.sub(tf.sub(tf.add(captionCrossEntropy, attentionPenalty), scoreFunction), entropyBonus) as tf.Scalar;
    const crossEntropy = tf.div(tf.sum(nll), tf.maximum(tf.sum(m), 1)) as tf.Scalar; // []  per target word
    return { loss, captionCrossEntropy, crossEntropy, attentionPenalty, logLikelihood: tf.neg(nll) as tf.Tensor1D };
  });
}
