/** Hard attention's published training settings (Xu et al. 2015 and the authors' code); no engine imported, for --help. */
export const HARD_ATTENTION_DEFAULTS = {
  /** Probability of a minibatch with the expected context instead of sampled regions. */
  expectedProbability: 0.5,
  /** λ_r = 1 times the learning signal's scale 1/10. */
  signalWeight: 0.1,
  /** λ_e, the entropy bonus. */
  entropyWeight: 0.002,
  /** The baseline's moving-average decay. */
  baselineDecay: 0.9,
} as const;
