/** Hard attention's published training settings (Xu et al. 2015 and the authors' code); no engine imported, for --help. */
export const HARD_ATTENTION_DEFAULTS = {
  /** Probability of a minibatch with the expected context instead of sampled regions. */
  expectedProbability: 0.5,
  /** λ_r = 1 times the learning signal's scale 1/10. */
  signalWeight: 0.1,
  /** λ_e, the entropy bonus. */
  entropyWeight: 0.002,
  /**
   * λ of the doubly stochastic penalty Σ_i (1 − Σ_t α_ti)². Off, as in the authors' code (alpha_c = 0;
   * the paper brings the penalty in for soft attention, §4.2.1). With fewer words than regions its
   * minimum is uniform attention, and hard attention, whose α learns only from the score-function term
   * on sampled minibatches, collapsed to uniform under λ = 1 on Flickr8k (docs/training.md, "Hard attention").
   */
  doublyStochasticLambda: 0,
  /** The baseline's moving-average decay. */
  baselineDecay: 0.9,
} as const;
