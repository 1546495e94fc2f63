/** What a resumed run needs besides weights and optimizer moments: where it was and what it saw. */
import { FileInputError } from '../util/user-error.js';
import { arrayOf, checkShape, nullable, optional, recordOf, type Shape } from '../util/json-shape.js';
import type { PlateauState } from './plateau.js';

export interface EpochMetrics {
  epoch: number;
  step: number;
  learningRate: number;
  trainLoss: number;
  trainCrossEntropy: number;
  trainAttentionPenalty: number;
  /** Self-critical training: the mean CIDEr-D reward of the sampled captions. */
  trainReward?: number;
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
  epochSums: { loss: number; crossEntropy: number; penalty: number; batches: number; tokens: number; seconds: number; reward?: number };
  stopped: boolean;
  /** The flags that decide the run's numbers (RESUME_FIXED_FLAGS), as the run started with them. */
  flags?: Record<string, string | number | boolean>;
  /** What the objective learns across steps (hard attention's baseline), after the last step taken. */
  objective?: Record<string, number>;
}

export const emptyEpochSums = (): TrainState['epochSums'] => ({ loss: 0, crossEntropy: 0, penalty: 0, batches: 0, tokens: 0, seconds: 0 });

const EPOCH_METRICS: Shape = {
  epoch: 'int',
  step: 'int',
  learningRate: 'number',
  trainLoss: 'number',
  trainCrossEntropy: 'number',
  trainAttentionPenalty: 'number',
  trainReward: optional('number'),
  val: recordOf('number'),
  tokensPerSecond: 'number',
  seconds: 'number',
};

const TRAIN_STATE: Shape = {
  epoch: 'int',
  batchInEpoch: 'int',
  step: 'int',
  plateau: { learningRate: 'number', bestScore: nullable('number'), bestEpoch: nullable('int'), badEpochs: 'int', sinceDecay: 'int' },
  history: arrayOf(EPOCH_METRICS),
  epochSums: {
    loss: 'number',
    crossEntropy: 'number',
    penalty: 'number',
    batches: 'int',
    tokens: 'int',
    seconds: 'number',
    reward: optional('number'),
  },
  stopped: 'boolean',
  flags: optional(recordOf('any')),
  objective: optional(recordOf('number')),
};

/** train-state.json's value, checked (a corrupt file is one line naming it and the bad field). */
export function parseTrainState(value: unknown, file: string): TrainState {
  const state = checkShape<TrainState>(value, TRAIN_STATE, file, 'training state');
  if (state.history.length !== state.epoch) {
    throw new FileInputError(file, `corrupt training state: at epoch ${state.epoch} but ${state.history.length} epochs of history`);
  }
  return state;
}

/** One metrics.jsonl line, checked. */
export function parseEpochMetrics(value: unknown, file: string): EpochMetrics {
  return checkShape<EpochMetrics>(value, EPOCH_METRICS, file, 'epoch metrics');
}
