/**
 * The training loop: teacher forcing, Adam, gradient clipping, LR decay on plateau, early stopping on a
 * validation score from real decoding, best/last checkpoints, exact resume, NaN guard, progress bar.
 */
import * as path from 'node:path';
import './gradients.js'; // every op's gradient (the captioning path does without)
import * as tf from '../util/tf.js';
import { killPoint, saveCheckpoint, type Checkpoint } from '../checkpoint/checkpoint.js';
import type { WeightStorage } from '../checkpoint/tensor-bundle.js';
import type { AttentionDecoder } from '../decoder/decoder.js';
import { ProgressBar } from '../util/progress.js';
import { deriveSeed } from '../util/random.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { UserError } from '../util/user-error.js';
import { batchTensors, disposeBatch, type BatchTensors, type FeatureSource } from './batch-tensors.js';
import { clipByGlobalNorm } from './clip-gradients.js';
import { crossEntropyObjective, type Objective, type StepContext } from './objective.js';
import { addWeightDecay } from './weight-decay.js';
import { epochBatches, type Example } from './examples.js';
import type { Adam } from './adam.js';
import { updatePlateau, type PlateauOptions } from './plateau.js';
import { emptyEpochSums, type EpochMetrics, type TrainState } from './train-state.js';

export interface TrainLoopOptions {
  batchSize: number;
  maxEpochs: number;
  /** Stop after this many optimizer steps in this process (a budget; 0 = none). */
  maxSteps: number;
  clipNorm: number;
  /** L2 weight decay on the weight matrices (0 = none); see weight-decay.ts. */
  weightDecay: number;
  seed: number;
  /** Save the resumable `last` checkpoint every this many steps (and after every epoch). */
  checkpointEvery: number;
  plateau: PlateauOptions;
  /** The validation score that picks the best checkpoint (higher is better), e.g. 'BLEU-4'. */
  selectBy: string;
  /** Folders: the best checkpoint (shippable) and the run folder (last checkpoint, metrics.jsonl). */
  bestDir: string;
  runDir: string;
  storage: WeightStorage;
  /** Encoder weights every best checkpoint carries (carry-encoder.ts), if there is a local copy. */
  encoderDir?: string | undefined;
  progress: boolean;
}

/** Everything about the model that goes into a checkpoint besides weights. */
interface CheckpointIdentity {
  encoder: string;
  grid: { height: number; width: number };
  config: unknown;
  vocab: unknown;
  /** Static facts for training.json (dataset, command…); the loop adds history and best score. */
  summary: Record<string, unknown>;
}

export type Validator = (decoder: AttentionDecoder) => Promise<Record<string, number>>;

export class NonFiniteLossError extends UserError {
  override name = 'NonFiniteLossError';
}

export interface TrainLoop {
  decoder: AttentionDecoder;
  /** What a step minimises (default: cross-entropy, the paper's eq. 14). */
  objective?: Objective;
  optimizer: Adam;
  examples: readonly Example[];
  features: FeatureSource;
  validate: Validator;
  identity: CheckpointIdentity;
  options: TrainLoopOptions;
  state: TrainState;
  log?: (line: string) => void;
}

async function checkpointOf(loop: TrainLoop, withResume: boolean): Promise<Checkpoint> {
  const { identity, state, decoder, optimizer } = loop;
  const training = {
    ...identity.summary,
    epochsRun: state.history.length,
    steps: state.step,
    bestEpoch: state.plateau.bestEpoch,
    bestScore: state.plateau.bestScore,
    selectBy: loop.options.selectBy,
    history: state.history,
  };
  const ckpt: Checkpoint = {
    encoder: identity.encoder,
    grid: identity.grid,
    config: identity.config,
    vocab: identity.vocab,
    weights: decoder.getWeights(),
    training,
  };
  if (withResume) ckpt.resume = { optimizer: optimizer.state(), state };
  return ckpt;
}

async function saveLast(loop: TrainLoop): Promise<void> {
  const ckpt = await checkpointOf(loop, true);
  try {
    await saveCheckpoint(path.join(loop.options.runDir, 'last'), ckpt);
  } finally {
    // Adam's moments are its live variables; the step counter it exports is a fresh scalar: free it.
    for (const t of ckpt.resume?.optimizer.values() ?? []) if (!(t instanceof tf.Variable)) t.dispose();
  }
}

/** One optimizer step; returns the loss parts, or throws NonFiniteLossError before touching weights. */
function trainStep(
  loop: TrainLoop,
  batch: BatchTensors,
  keys: readonly string[],
): { loss: number; crossEntropy: number; penalty: number; reward: number | undefined } {
  const { decoder, options, state } = loop;
  const objective = loop.objective ?? crossEntropyObjective;
  const ctx: StepContext = { decoder, batch, keys, step: state.step, dropoutSeed: deriveSeed(options.seed, 0x5eed, state.step) };
  const prepared = objective.prepare(ctx);
  try {
    const result = applyStep(loop, objective, ctx, prepared);
    objective.afterStep?.(prepared);
    if (objective.state) state.objective = objective.state();
    return result;
  } finally {
    objective.release(prepared);
  }
}

function applyStep<P>(
  loop: TrainLoop,
  objective: Objective<P>,
  ctx: StepContext,
  prepared: P & { reward?: number },
): { loss: number; crossEntropy: number; penalty: number; reward: number | undefined } {
  const { decoder, optimizer, options, state } = loop;
  const vars = decoder.trainableVariables();
  const parts: tf.Scalar[] = [];
  const { value, grads } = tf.variableGrads(() => {
    const out = objective.loss(ctx, prepared);
    parts.push(tf.keep(out.crossEntropy), tf.keep(out.penalty));
    return out.loss;
  }, vars);
  const [loss, crossEntropy, penalty] = [value, ...parts].map((t) => t!.dataSync()[0]!) as [number, number, number];
  tf.dispose(parts);
  value.dispose();
  const stop = (what: string): NonFiniteLossError =>
    new NonFiniteLossError(
      `${what} at step ${state.step} (epoch ${state.epoch + 1}); stopped without applying it. ` +
        `The last good checkpoint is in ${path.join(options.runDir, 'last')}: lower --lr or --clip-norm and --resume`,
    );
  if (!Number.isFinite(loss)) {
    tf.dispose(grads);
    throw stop(`loss became ${loss}`);
  }
  const decayed = addWeightDecay(grads, vars, options.weightDecay);
  const clipped = clipByGlobalNorm(decayed, options.clipNorm);
  const norm = clipped.norm.dataSync()[0]!;
  if (!Number.isFinite(norm)) {
    // A finite loss can still have a NaN/∞ gradient; clipping would spread it into every weight.
    tf.dispose([grads, decayed, clipped.grads, clipped.norm] as unknown as tf.Tensor[]);
    throw stop(`the gradient norm became ${norm} (loss ${loss})`);
  }
  optimizer.applyGradients(clipped.grads);
  tf.dispose([decayed, clipped.grads, clipped.norm] as unknown as tf.Tensor[]);
  return { loss, crossEntropy, penalty, reward: prepared.reward };
}

/**
 * metrics.jsonl holds one line per finished epoch of the run, written whole from the state's history
 * (atomically). A kill after it and before the `last` checkpoint leaves one epoch too many there;
 * the resumed run rewrites it from the checkpoint's history first, so no epoch is ever listed twice.
 */
async function writeMetrics(runDir: string, history: readonly EpochMetrics[]): Promise<void> {
  await writeFileAtomic(path.join(runDir, 'metrics.jsonl'), history.map((m) => `${JSON.stringify(m)}\n`).join(''));
}

/** Runs epochs until early stopping, maxEpochs or the step budget; returns the final state. */
export async function runTraining(loop: TrainLoop): Promise<TrainState> {
  const { options, state } = loop;
  const log = loop.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  let stepsThisRun = 0;
  loop.optimizer.learningRate = state.plateau.learningRate;
  await writeMetrics(options.runDir, state.history);
  while (state.epoch < options.maxEpochs && !state.stopped) {
    const batches = epochBatches(loop.examples, options.batchSize, options.seed, state.epoch);
    const bar = new ProgressBar({
      label: `epoch ${state.epoch + 1}/${options.maxEpochs}`,
      total: batches.length,
      unit: 'batch',
      initial: state.batchInEpoch,
      enabled: options.progress,
    });
    let next = state.batchInEpoch < batches.length ? batchTensors(batches[state.batchInEpoch]!, loop.features) : undefined;
    try {
      while (state.batchInEpoch < batches.length) {
        if (options.maxSteps > 0 && stepsThisRun >= options.maxSteps) {
          await saveLast(loop); // the budget is spent: leave a checkpoint that resumes exactly here
          return state;
        }
        const batch = await next!;
        const i = state.batchInEpoch;
        next = i + 1 < batches.length ? batchTensors(batches[i + 1]!, loop.features) : undefined; // prefetch
        const t0 = performance.now();
        let result;
        try {
          result = trainStep(
            loop,
            batch,
            batches[i]!.map((e) => e.key),
          );
        } finally {
          disposeBatch(batch);
        }
        const seconds = (performance.now() - t0) / 1000;
        const s = state.epochSums;
        s.loss += result.loss;
        s.crossEntropy += result.crossEntropy;
        s.penalty += result.penalty;
        if (result.reward !== undefined) s.reward = (s.reward ?? 0) + result.reward;
        s.batches += 1;
        s.tokens += batch.targetCount;
        s.seconds += seconds;
        state.step += 1;
        state.batchInEpoch += 1;
        stepsThisRun += 1;
        const shown = s.reward !== undefined ? `reward ${(s.reward / s.batches).toFixed(3)}` : `loss ${(s.loss / s.batches).toFixed(3)}`;
        bar.tick(1, `${shown} ${Math.round(s.tokens / s.seconds)} tok/s`);
        if (state.step % options.checkpointEvery === 0) await saveLast(loop);
      }
    } finally {
      // Settle the prefetched batch whatever happened, so no read is left running on a closed store.
      if (next) await next.then(disposeBatch, () => undefined);
    }
    bar.finish();
    await endEpoch(loop, log);
  }
  return state;
}

async function endEpoch(loop: TrainLoop, log: (line: string) => void): Promise<void> {
  const { options, state } = loop;
  const s = state.epochSums;
  const val = await loop.validate(loop.decoder);
  const score = val[options.selectBy];
  if (score === undefined) throw new Error(`validation did not report ${options.selectBy}`);
  const metrics: EpochMetrics = {
    epoch: state.epoch + 1,
    step: state.step,
    learningRate: state.plateau.learningRate,
    trainLoss: s.loss / Math.max(1, s.batches),
    trainCrossEntropy: s.crossEntropy / Math.max(1, s.batches),
    trainAttentionPenalty: s.penalty / Math.max(1, s.batches),
    ...(s.reward !== undefined ? { trainReward: s.reward / Math.max(1, s.batches) } : {}),
    val,
    tokensPerSecond: s.tokens / Math.max(1e-9, s.seconds),
    seconds: s.seconds,
  };
  const update = updatePlateau(state.plateau, state.epoch + 1, score, options.plateau);
  state.plateau = update.state;
  state.history.push(metrics);
  state.epoch += 1;
  state.batchInEpoch = 0;
  state.epochSums = emptyEpochSums();
  state.stopped = update.stop;
  loop.optimizer.learningRate = state.plateau.learningRate;
  await writeMetrics(options.runDir, state.history);
  killPoint('train:metrics-written');
  const vals = Object.entries(val)
    .map(([k, v]) => `${k} ${v.toFixed(4)}`)
    .join(', ');
  log(
    `epoch ${metrics.epoch}: ${metrics.trainReward !== undefined ? `mean sampled reward ${metrics.trainReward.toFixed(4)}, ` : ''}loss ${metrics.trainLoss.toFixed(3)} (attention penalty ${metrics.trainAttentionPenalty.toFixed(3)}, per-word CE ${metrics.trainCrossEntropy.toFixed(4)}), val ${vals}` +
      `${update.improved ? ' (best)' : ''}${update.decayed ? `, lr → ${state.plateau.learningRate.toExponential(2)}` : ''}` +
      `${update.stop ? ', early stop' : ''}`,
  );
  if (update.improved)
    await saveCheckpoint(options.bestDir, await checkpointOf(loop, false), { storage: options.storage, encoderDir: options.encoderDir });
  await saveLast(loop);
}
