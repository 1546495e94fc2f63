/** Ranking score of a hypothesis: log p / len^α (Wu et al. 2016's simple form); α = 0 is plain log p. */
export function lengthNormalizedScore(logProb: number, steps: number, lengthPenalty: number): number {
  return lengthPenalty === 0 ? logProb : logProb / Math.max(steps, 1) ** lengthPenalty;
}
