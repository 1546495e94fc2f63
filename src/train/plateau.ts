/**
 * Learning-rate decay on plateau and early stopping, on a validation score where higher is better.
 * Pure state transitions, so the state goes into the resume checkpoint as plain JSON.
 */
export interface PlateauOptions {
  /** Multiply the LR by this after `decayPatience` epochs without improvement. */
  decayFactor: number;
  decayPatience: number;
  /** Stop after this many epochs without improvement. */
  stopPatience: number;
  minLearningRate: number;
  /** An improvement must beat the best by more than this. */
  minDelta: number;
}

export interface PlateauState {
  learningRate: number;
  bestScore: number | null;
  bestEpoch: number | null;
  /** Epochs since the last improvement. */
  badEpochs: number;
  /** Epochs since the last improvement or LR decay. */
  sinceDecay: number;
}

export interface PlateauUpdate {
  state: PlateauState;
  improved: boolean;
  decayed: boolean;
  stop: boolean;
}

export const initialPlateau = (learningRate: number): PlateauState => ({
  learningRate,
  bestScore: null,
  bestEpoch: null,
  badEpochs: 0,
  sinceDecay: 0,
});

export function updatePlateau(state: PlateauState, epoch: number, score: number, o: PlateauOptions): PlateauUpdate {
  const improved = state.bestScore === null || score > state.bestScore + o.minDelta;
  if (improved) {
    return { state: { ...state, bestScore: score, bestEpoch: epoch, badEpochs: 0, sinceDecay: 0 }, improved, decayed: false, stop: false };
  }
  const badEpochs = state.badEpochs + 1;
  let sinceDecay = state.sinceDecay + 1;
  let learningRate = state.learningRate;
  let decayed = false;
  if (sinceDecay >= o.decayPatience && learningRate > o.minLearningRate) {
    learningRate = Math.max(o.minLearningRate, learningRate * o.decayFactor);
    sinceDecay = 0;
    decayed = true;
  }
  return { state: { ...state, badEpochs, sinceDecay, learningRate }, improved, decayed, stop: badEpochs >= o.stopPatience };
}
