/**
 * The training objective (Xu et al. 2015, eq. 14), on padded batches, averaged over the B captions:
 *   loss = mean_b [ −log P(y_b | a_b) + λ Σ_i (1 − Σ_t α_bti)² ]
 * −log P(y | a) is the caption's cross-entropy summed over its real (unpadded) target tokens, as in
 * the paper: with a per-token mean instead, λ = 1 would weigh the attention penalty (≈ L, 49 to 196, at the
 * start) some 20× more than the paper does. The penalty sums α only over real steps. For logging, the
 * per-token mean cross-entropy is returned too. With attention targets (`AttentionTargetsInput`), the
 * penalty also holds their supervision term.
 */
import * as tf from '../util/tf.js';
import type { DecoderConfig } from './config.js';
import { softmaxCrossEntropy } from '../fast-paths/ops.js';
import { checkInputs, unroll, type ForwardOptions } from './forward.js';
import type { DecoderParameters } from './parameters.js';
import { tidy } from './tidy.js';

/**
 * Attention supervision (Liu et al. 2017, "Attention correctness"): for chosen target words, where
 * the model should have looked. The loss gains strength · Σ_t,b weight_tb · (−Σ_i target_tbi log α_tbi),
 * averaged over the B captions as the cross-entropy is.
 */
export interface AttentionTargetsInput {
  targets: tf.Tensor3D; // [T, B, L]  a distribution over regions where weight_tb > 0
  weights: tf.Tensor2D; // [T, B]  1 for a supervised target word, else 0
  strength: number;
}

export interface LossOptions extends ForwardOptions {
  attentionTargets?: AttentionTargetsInput;
}

export interface LossOutput {
  /** captionCrossEntropy + attentionPenalty: what the optimizer minimises. */
  loss: tf.Scalar;
  /** Mean over captions of −log P(caption) (summed over its real tokens). */
  captionCrossEntropy: tf.Scalar;
  /** Mean −log p(true word) over real target tokens (for logging; perplexity = exp of it). */
  crossEntropy: tf.Scalar;
  /** λ · mean over images of Σ_i (1 − Σ_t α_ti)², plus the attention supervision term when given. */
  attentionPenalty: tf.Scalar;
}

/**
 * The target-aligned mask [B, T] from `mask`, which is either aligned with `tokens` ([B, T + 1]: its
 * first column, the <start> token, is dropped) or already with the targets ([B, T]).
 */
function targetMask(mask: tf.Tensor2D, B: number, T: number): tf.Tensor2D {
  const [mb, mt] = mask.shape;
  if (mb !== B || (mt !== T + 1 && mt !== T)) {
    throw new RangeError(
      `mask must be [${B}, ${T + 1}] (aligned with tokens) or [${B}, ${T}] (aligned with targets), got [${mask.shape.join(', ')}]`,
    );
  }
  const m = tf.cast(mask, 'float32');
  return mt === T + 1 ? tf.slice(m, [0, 1], [B, T]) : m; // [B, T]
}

/**
 * The teacher-forced pass and −log p of every target token, time-major; inside a tidy. With
 * `excluded` ids, p is the distribution without them (renormalised), as sampling draws from.
 */
export function tokenLosses(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  tokens: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: LossOptions,
  excluded: readonly number[] = [],
) {
  checkInputs(cfg, features, tokens, 'tokens');
  const [B, T1] = tokens.shape;
  const T = T1 - 1;
  if (T < 1) throw new RangeError(`tokens need at least 2 columns (<start> and one target), got ${T1}`);
  const inputs = tf.slice(tokens, [0, 0], [B, T]) as tf.Tensor2D; // [B, T]  y_0 … y_{T−1}
  const targets = tf.reshape(tf.transpose(tf.slice(tokens, [0, 1], [B, T])), [T * B]) as tf.Tensor1D; // [T·B] time-major
  const m = tf.transpose(targetMask(mask, B, T)); // [T, B]
  const out = unroll(params, cfg, features, inputs, options);
  const bias = excluded.length
    ? tf.tensor1d(Array.from({ length: cfg.vocabSize }, (_, v) => (excluded.includes(v) ? -1e9 : 0)))
    : undefined; // [V]
  const logits = bias ? (tf.add(out.logits, bias) as tf.Tensor2D) : out.logits; // [T·B, V]
  const perToken = tf.reshape(softmaxCrossEntropy(logits, targets), [T, B]); // [T, B]  −log p(y_t)
  return { B, m, perToken, alphas: out.alphas, regions: out.regions };
}

/** λ · mean over images of Σ_i (1 − Σ_t α_ti)², α summed over real steps: alphas [T, B, L], m [T, B] → []. */
export function attentionPenaltyOf(alphas: tf.Tensor3D, m: tf.Tensor2D, lambda: number): tf.Scalar {
  const attended = tf.sum(tf.mul(alphas, tf.expandDims(m, 2)), 0); // [B, L]  Σ_t α_ti over real steps
  const perImage = tf.sum(tf.square(tf.sub(1, attended)), 1); // [B]
  return tf.mul(tf.mean(perImage), lambda) as tf.Scalar; // []
}

/** strength · Σ_t,b w_tb · (−Σ_i target_tbi log α_tbi) / B: alphas [T, B, L] → []. */
export function attentionSupervisionOf(alphas: tf.Tensor3D, input: AttentionTargetsInput): tf.Scalar {
  const [T, B, L] = alphas.shape;
  const { targets, weights } = input;
  if (targets.shape.join() !== [T, B, L].join() || weights.shape.join() !== [T, B].join()) {
    throw new RangeError(
      `attention targets must be [${T}, ${B}, ${L}] with weights [${T}, ${B}], got [${targets.shape.join(', ')}] and [${weights.shape.join(', ')}]`,
    );
  }
  const crossEntropy = tf.neg(tf.sum(tf.mul(targets, tf.log(tf.add(alphas, 1e-8))), 2)); // [T, B]  −Σ_i p_i log α_i
  return tf.mul(tf.div(tf.sum(tf.mul(crossEntropy, weights)), B), input.strength) as tf.Scalar; // []
}

/**
 * tokens [B, T + 1] int32 = <start> w_1 … <end> <pad>…; the model reads tokens[:, :T] and predicts
 * tokens[:, 1:]. mask: 1 for real tokens, 0 for padding (see `targetMask` for the accepted shapes).
 * Works inside `tf.variableGrads` / `optimizer.minimize` (return `.loss`; `tf.keep` the parts to log them).
 */
export function computeLoss(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  tokens: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: LossOptions = {},
): LossOutput {
  return tidy(() => {
    const { B, m, perToken, alphas } = tokenLosses(params, cfg, features, tokens, mask, options);
    const realTokens = tf.maximum(tf.sum(m), 1); // []
    const ceSum = tf.sum(tf.mul(perToken, m)); // []
    const crossEntropy = tf.div(ceSum, realTokens) as tf.Scalar; // []
    const captionCrossEntropy = tf.div(ceSum, B) as tf.Scalar; // []

    const doublyStochastic = attentionPenaltyOf(alphas, m, cfg.doublyStochasticLambda); // []
    const attentionPenalty = options.attentionTargets
      ? (tf.add(doublyStochastic, attentionSupervisionOf(alphas, options.attentionTargets)) as tf.Scalar)
      : doublyStochastic; // []

    return { loss: tf.add(captionCrossEntropy, attentionPenalty) as tf.Scalar, captionCrossEntropy, crossEntropy, attentionPenalty };
  });
}

export interface SequenceLosses {
  /** −log P(y_b | a_b) of each caption [B], summed over its real target tokens. */
  nll: tf.Tensor1D;
  /** The attention supervision term (`attentionSupervisionOf`) when targets are given, else 0. */
  attentionSupervision: tf.Scalar;
}

/**
 * −log P(y_b | a_b) of each caption [B] (the policy-gradient term of self-critical training,
 * −(r − b)·log P, is built on it), and the supervision of its class words' attention when
 * `options.attentionTargets` are given. Same inputs as `computeLoss`; `excluded` token ids get no
 * probability (the distribution the captions were sampled from).
 */
export function sequenceLosses(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  tokens: tf.Tensor2D,
  mask: tf.Tensor2D,
  options: LossOptions = {},
  excluded: readonly number[] = [],
): SequenceLosses {
  return tidy(() => {
    const { m, perToken, alphas } = tokenLosses(params, cfg, features, tokens, mask, options, excluded);
    const nll = tf.sum(tf.mul(perToken, m), 0) as tf.Tensor1D; // [B]
    const attentionSupervision = options.attentionTargets ? attentionSupervisionOf(alphas, options.attentionTargets) : tf.scalar(0); // []
    return { nll, attentionSupervision };
  });
}
