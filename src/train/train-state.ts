/** What a resumed run needs besides weights and optimizer moments: where it was and what it saw. */
import type { PlateauState } from './plateau.js';

export interface EpochMetrics {
  epoch: number;
  step: number;
  learningRate: number;
  trainLoss: number;
  trainCrossEntropy: number;
  trainAttentionPenalty: number;
  /** Validation scores by real decoding (greedy), e.g. BLEU-4, exact match. */
  val: Record<string, number>;
  tokensPerSecond: number;
  seconds: number;
}

export interface TrainState {
  /** Next epoch to run (0-based) and next batch within it. */
  epoch: number;
  batchInEpoch: number;
  /** Optimizer steps taken so far (also the dropout seed stream position). */
  step: number;
  plateau: PlateauState;
  history: EpochMetrics[];
  /** Running sums of the current epoch's losses (so a mid-epoch resume reports the whole epoch). */
  epochSums: { loss: number; crossEntropy: number; penalty: number; batches: number; tokens: number; seconds: number };
  stopped: boolean;
}

export const emptyEpochSums = (): TrainState['epochSums'] => ({ loss: 0, crossEntropy: 0, penalty: 0, batches: 0, tokens: 0, seconds: 0 });
