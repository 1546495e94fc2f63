/**
 * From parsed flags to a ready TrainLoop: dataset, features, vocabulary, decoder, optimizer, state —
 * fresh, or restored exactly from the run's `last` checkpoint with --resume.
 */
import * as path from 'node:path';
import { loadCheckpoint, disposeCheckpoint } from '../checkpoint/checkpoint.js';
import { imagesOf } from '../data/dataset.js';
import { FeatureStoreReader } from '../data/feature-store.js';
import { datasetSourcesOf, loadDatasets } from '../data/dataset-sources.js';
import type { DatasetFormat } from '../data/load-dataset.js';
import { Vocabulary } from '../data/vocabulary.js';
import { createDecoder } from '../decoder/decoder.js';
import { UserError } from '../util/user-error.js';
import type { FeatureSource } from './batch-tensors.js';
import { buildExamples } from './examples.js';
import { createAdam, importOptimizer, variableNamesOf } from './optimizer-state.js';
import { initialPlateau } from './plateau.js';
import { emptyEpochSums, parseTrainState, type TrainState } from './train-state.js';
import type { TrainLoop } from './trainer.js';
import type { TrainArgs } from './train-options.js';
import { makeValidator } from './validate.js';

/**
 * Flags a resumed run must repeat unchanged: each one changes the batches, the dropout masks, the
 * updates or the schedule, so a run resumed with another value would not be the run it continues.
 * Others may change on resume: --epochs, --patience, --max-steps, --val-limit, --progress, and the
 * file locations, backend, checkpoint cadence and best-checkpoint storage.
 */
export const RESUME_FIXED_FLAGS = [
  'seed', 'batch-size', 'max-words', 'clip-norm', 'weight-decay', 'lr', 'lr-decay', 'lr-patience', 'select-by', 'min-count',
  'embed-dim', 'hidden-dim', 'attention-dim', 'scoring', 'dropout', 'hidden-dropout', 'lambda',
] as const satisfies readonly (keyof TrainArgs)[];

function fixedFlagsOf(args: TrainArgs): Record<string, string | number | boolean> {
  return Object.fromEntries(RESUME_FIXED_FLAGS.map((k) => [k, args[k] as string | number | boolean]));
}

/** Refuses a resume whose fixed flags differ from the run's: one line naming the flag and both values. */
export function checkResumeFlags(recorded: TrainState['flags'], args: TrainArgs, runDir: string): void {
  if (!recorded) return; // a run saved before flags were recorded
  for (const k of RESUME_FIXED_FLAGS) {
    if (!(k in recorded) || recorded[k] === args[k]) continue;
    throw new UserError(
      `--resume: --${k} is ${JSON.stringify(args[k])} but the run in ${runDir} was started with --${k} ${JSON.stringify(recorded[k])}; ` +
        `resuming with another value would not continue the same run (pass --${k} ${JSON.stringify(recorded[k])}, or start a new --run-dir)`,
    );
  }
}

export function featureSource(store: FeatureStoreReader): FeatureSource {
  return { read: (keys) => store.read(keys), regions: store.header.regions, depth: store.header.depth };
}

export async function setupRun(args: TrainArgs, log: (line: string) => void): Promise<{ loop: TrainLoop; close: () => Promise<void> }> {
  const { dataset, report } = await loadDatasets(datasetSourcesOf(args), args.format as DatasetFormat | 'auto');
  const datasetName = args.dataset.join(' + ');
  log(report);
  const store = await FeatureStoreReader.open(args.features);
  const missing = dataset.images.filter((im) => im.split !== 'test' && !store.has(im.id));
  if (missing.length) {
    throw new UserError(
      `${args.features}: no features for ${missing.length} train/val images (first: ${missing[0]!.id}); run \`npm run extract-features\` on ${datasetName}`,
    );
  }
  const train = imagesOf(dataset, 'train');
  const val = imagesOf(dataset, 'val');
  if (train.length === 0 || val.length === 0) throw new UserError(`${datasetName}: needs train and val images (has ${train.length} and ${val.length})`);
  const runDir = args['run-dir'] ?? path.join('runs', path.basename(path.resolve(args.out)));

  let vocab: Vocabulary;
  let config: Record<string, unknown>;
  let state: TrainState;
  const resumed = args.resume ? await loadCheckpoint(path.join(runDir, 'last'), { withResume: true }) : undefined;
  if (resumed) {
    if (resumed.encoder !== store.header.encoder) {
      throw new UserError(`${args.features}: features come from encoder ${store.header.encoder}, the run was trained on ${resumed.encoder}`);
    }
    vocab = Vocabulary.fromJSON(resumed.vocab, path.join(runDir, 'last', 'vocab.json'));
    config = resumed.config as Record<string, unknown>;
    state = parseTrainState(resumed.resume!.state, path.join(runDir, 'last', 'train-state.json'));
    checkResumeFlags(state.flags, args, runDir);
    // Early stopping is re-judged with this run's --patience (a stopped run can be given more).
    state.stopped = state.plateau.badEpochs >= args.patience;
    log(`resuming ${runDir} at epoch ${state.epoch + 1}, batch ${state.batchInEpoch}, step ${state.step}`);
  } else {
    vocab = Vocabulary.build(train.flatMap((im) => im.captions), { minCount: args['min-count'] });
    config = {
      vocabSize: vocab.size,
      featureDim: store.header.depth,
      embedDim: args['embed-dim'],
      hiddenDim: args['hidden-dim'],
      attentionDim: args['attention-dim'],
      scoring: args.scoring,
      dropout: args.dropout,
      hiddenDropout: args['hidden-dropout'],
      doublyStochasticLambda: args.lambda,
      seed: args.seed,
    };
    state = { epoch: 0, batchInEpoch: 0, step: 0, plateau: initialPlateau(args.lr), history: [], epochSums: emptyEpochSums(), stopped: false, flags: fixedFlagsOf(args) };
  }
  const decoder = createDecoder(config as { vocabSize: number }, resumed ? { weights: resumed.weights } : {});
  const optimizer = createAdam(state.plateau.learningRate);
  if (resumed) {
    await importOptimizer(optimizer, resumed.resume!.optimizer, variableNamesOf(decoder.getWeights()));
    disposeCheckpoint(resumed); // the decoder and Adam copied what they need into their own variables
  }
  const features = featureSource(store);
  const examples = buildExamples(train, vocab, args['max-words']);
  const valImages = args['val-limit'] > 0 ? val.slice(0, args['val-limit']) : val;
  log(`vocabulary ${vocab.size} words (min count ${vocab.minCount}); ${examples.length} training captions of ${train.length} images; validating on ${valImages.length} images`);
  const loop: TrainLoop = {
    decoder,
    optimizer,
    examples,
    features,
    validate: makeValidator({ images: valImages, features, vocab, maxLength: args['max-words'] }),
    identity: {
      encoder: store.header.encoder,
      grid: store.header.grid,
      config: decoder.config,
      vocab: vocab.toJSON(),
      summary: {
        dataset: args.dataset.map((d) => path.resolve(d)).join(' + '),
        features: path.resolve(args.features),
        trainImages: train.length,
        trainCaptions: examples.length,
        valImages: valImages.length,
        optimizer: { batchSize: args['batch-size'], learningRate: args.lr, clipNorm: args['clip-norm'], weightDecay: args['weight-decay'], seed: args.seed },
      },
    },
    options: {
      batchSize: args['batch-size'],
      maxEpochs: args.epochs,
      maxSteps: args['max-steps'],
      clipNorm: args['clip-norm'],
      weightDecay: args['weight-decay'],
      seed: args.seed,
      checkpointEvery: args['checkpoint-every'],
      plateau: { decayFactor: args['lr-decay'], decayPatience: args['lr-patience'], stopPatience: args.patience, minLearningRate: 1e-6, minDelta: 1e-4 },
      selectBy: args['select-by'],
      bestDir: args.out,
      runDir,
      storage: args['weights-dtype'],
      progress: args.progress,
    },
    state,
    log,
  };
  return { loop, close: () => store.close() };
}
