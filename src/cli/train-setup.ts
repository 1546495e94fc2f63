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
import type * as tf from '../util/tf.js';
import { END_ID, START_ID, Vocabulary } from '../data/vocabulary.js';
import { referencesOf } from '../eval/evaluate.js';
import { prepareCarriedEncoder } from '../train/carry-encoder.js';
import { CiderReward } from '../train/cider-reward.js';
import { HARD_ATTENTION_DEFAULTS, hardAttentionObjective } from '../train/hard-attention.js';
import { readAttentionTargets } from '../train/attention-targets.js';
import { attentionSupervisedObjective } from '../train/attention-supervision.js';
import { crossEntropyObjective, type Objective } from '../train/objective.js';
import { selfCriticalObjective } from '../train/self-critical.js';
import { createDecoder } from '../decoder/decoder.js';
import { UserError } from '../util/user-error.js';
import type { FeatureSource } from '../train/batch-tensors.js';
import { buildExamples } from '../train/examples.js';
import { createAdam } from '../train/adam.js';
import { initialPlateau } from '../train/plateau.js';
import { emptyEpochSums, parseTrainState, type TrainState } from '../train/train-state.js';
import type { TrainLoop } from '../train/trainer.js';
import type { TrainArgs } from './train-options.js';
import { makeValidator } from '../train/validate.js';

/**
 * Flags a resumed run must repeat unchanged: each one changes the batches, the dropout masks, the
 * updates or the schedule, so a run resumed with another value would not be the run it continues.
 * Others may change on resume: --epochs, --patience, --max-steps, --val-limit, --progress, and the
 * file locations, backend, checkpoint cadence and best-checkpoint storage.
 */
const RESUME_FIXED_FLAGS = [
  'seed',
  'batch-size',
  'max-words',
  'clip-norm',
  'weight-decay',
  'lr',
  'lr-decay',
  'lr-patience',
  'select-by',
  'min-count',
  'embed-dim',
  'hidden-dim',
  'attention-dim',
  'scoring',
  'dropout',
  'hidden-dropout',
  'lambda',
  'objective',
  'scst-samples',
  'attention',
  'hard-expected',
  'hard-signal',
  'hard-entropy',
  'attention-targets',
  'attention-supervision',
] as const satisfies readonly (keyof TrainArgs)[];

function fixedFlagsOf(args: TrainArgs): Record<string, string | number | boolean> {
  return Object.fromEntries(RESUME_FIXED_FLAGS.filter((k) => args[k] !== undefined).map((k) => [k, args[k] as string | number | boolean]));
}

/** Refuses a resume whose fixed flags differ from the run's: one line naming the flag and both values. */
/**
 * What a run recorded before a flag existed ran with: the behaviour the flag's default keeps. (A run
 * from before --attention trained soft attention; resuming it with --attention hard would not continue it.)
 */
const DEFAULTS_OF_LATER_FLAGS: Partial<Record<(typeof RESUME_FIXED_FLAGS)[number], string | number>> = {
  attention: 'soft',
  'hard-expected': HARD_ATTENTION_DEFAULTS.expectedProbability,
  'hard-signal': HARD_ATTENTION_DEFAULTS.signalWeight,
  'hard-entropy': HARD_ATTENTION_DEFAULTS.entropyWeight,
  'attention-targets': '',
  'attention-supervision': 1,
};

export function checkResumeFlags(recorded: TrainState['flags'], args: TrainArgs, runDir: string): void {
  if (!recorded) return; // a run saved before flags were recorded
  for (const k of RESUME_FIXED_FLAGS) {
    const was = k in recorded ? recorded[k] : DEFAULTS_OF_LATER_FLAGS[k];
    const now = args[k] ?? DEFAULTS_OF_LATER_FLAGS[k];
    if (was === undefined || was === now) continue; // a flag the run did not record (or unset) cannot be compared
    throw new UserError(
      `--resume: --${k} is ${JSON.stringify(now)} but the run in ${runDir} was started with --${k} ${JSON.stringify(was)}; ` +
        `resuming with another value would not continue the same run (pass --${k} ${JSON.stringify(was)}, or start a new --run-dir)`,
    );
  }
}

function freshState(args: TrainArgs): TrainState {
  return {
    epoch: 0,
    batchInEpoch: 0,
    step: 0,
    plateau: initialPlateau(args.lr),
    history: [],
    epochSums: emptyEpochSums(),
    stopped: false,
    flags: fixedFlagsOf(args),
  };
}

function featureSource(store: FeatureStoreReader): FeatureSource {
  return { read: (keys) => store.read(keys), regions: store.header.regions, depth: store.header.depth };
}

export async function setupRun(args: TrainArgs, log: (line: string) => void): Promise<{ loop: TrainLoop; close: () => Promise<void> }> {
  const { dataset, report } = await loadDatasets(datasetSourcesOf(args), args.format as DatasetFormat | 'auto');
  const datasetName = args.dataset.join(' + ');
  log(report);
  const store = await FeatureStoreReader.open(args.features);
  try {
    const missing = dataset.images.filter((im) => im.split !== 'test' && !store.has(im.id));
    if (missing.length) {
      throw new UserError(
        `${args.features}: no features for ${missing.length} train/val images (first: ${missing[0]!.id}); run \`npm run extract-features\` on ${datasetName}`,
      );
    }
    const train = imagesOf(dataset, 'train');
    const val = imagesOf(dataset, 'val');
    if (train.length === 0 || val.length === 0)
      throw new UserError(`${datasetName}: needs train and val images (has ${train.length} and ${val.length})`);
    const runDir = args['run-dir'] ?? path.join('runs', path.basename(path.resolve(args.out)));

    let vocab: Vocabulary;
    let config: Record<string, unknown>;
    let state: TrainState;
    let initWeights: Map<string, tf.Tensor> | undefined;
    const resumed = args.resume ? await loadCheckpoint(path.join(runDir, 'last'), { withResume: true }) : undefined;
    if (resumed) {
      if (resumed.encoder !== store.header.encoder) {
        throw new UserError(
          `${args.features}: features come from encoder ${store.header.encoder}, the run was trained on ${resumed.encoder}`,
        );
      }
      vocab = Vocabulary.fromJSON(resumed.vocab, path.join(runDir, 'last', 'vocab.json'));
      config = resumed.config as Record<string, unknown>;
      state = parseTrainState(resumed.resume!.state, path.join(runDir, 'last', 'train-state.json'));
      checkResumeFlags(state.flags, args, runDir);
      // Early stopping is re-judged with this run's --patience (a stopped run can be given more).
      state.stopped = state.plateau.badEpochs >= args.patience;
      log(`resuming ${runDir} at epoch ${state.epoch + 1}, batch ${state.batchInEpoch}, step ${state.step}`);
    } else if (args['init-from']) {
      // A new run from a trained model (self-critical training starts from the best cross-entropy one).
      const init = await loadCheckpoint(args['init-from']);
      if (init.encoder !== store.header.encoder) {
        disposeCheckpoint(init);
        throw new UserError(
          `${args.features}: features come from encoder ${store.header.encoder}, ${args['init-from']} was trained on ${init.encoder}`,
        );
      }
      vocab = Vocabulary.fromJSON(init.vocab, path.join(args['init-from'], 'vocab.json'));
      config = init.config as Record<string, unknown>;
      initWeights = init.weights;
      state = freshState(args);
      log(`starting from ${args['init-from']} (its weights, vocabulary and sizes; the size flags are not used)`);
    } else {
      vocab = Vocabulary.build(
        train.flatMap((im) => im.captions),
        { minCount: args['min-count'] },
      );
      config = {
        vocabSize: vocab.size,
        featureDim: store.header.depth,
        embedDim: args['embed-dim'],
        hiddenDim: args['hidden-dim'],
        attentionDim: args['attention-dim'],
        scoring: args.scoring,
        dropout: args.dropout,
        hiddenDropout: args['hidden-dropout'],
        doublyStochasticLambda: args.lambda as number,
        seed: args.seed,
      };
      state = freshState(args);
    }
    const weights = resumed?.weights ?? initWeights;
    const decoder = createDecoder(config as { vocabSize: number }, weights ? { weights } : {});
    if (initWeights) for (const t of initWeights.values()) t.dispose(); // the decoder copied them
    const optimizer = createAdam(state.plateau.learningRate, decoder.getWeights());
    if (resumed) {
      optimizer.restore(resumed.resume!.optimizer);
      disposeCheckpoint(resumed); // the decoder and Adam copied what they need into their own variables
    }
    const features = featureSource(store);
    const encoderDir = await prepareCarriedEncoder(
      { encoder: store.header.encoder, weights: store.header.weights, initFrom: args['init-from'] },
      path.join(runDir, 'encoder'),
      log,
    );
    const scst = args.objective === 'scst';
    const attentionTargets = args['attention-targets']
      ? await readAttentionTargets(args['attention-targets'], store.header.regions)
      : undefined;
    if (attentionTargets) {
      const covered = train.filter((im) => attentionTargets.maps.has(im.id)).length;
      log(
        `attention supervision (×${args['attention-supervision']}): maps for ${covered} of ${train.length} training images from ${args['attention-targets']}`,
      );
    }
    // Cross-entropy: one example per caption. Self-critical: one per image, scored against all its references.
    const examples = scst ? train.map((im) => ({ key: im.id, ids: [START_ID, END_ID] })) : buildExamples(train, vocab, args['max-words']);
    const hard = args.attention === 'hard';
    const hardOptions = {
      seed: args.seed,
      expectedProbability: args['hard-expected'],
      signalWeight: args['hard-signal'],
      entropyWeight: args['hard-entropy'],
      baselineDecay: HARD_ATTENTION_DEFAULTS.baselineDecay,
    };
    const objective: Objective = scst
      ? selfCriticalObjective({
          reward: new CiderReward(referencesOf(train)),
          vocab,
          samples: args['scst-samples'],
          maxWords: args['max-words'],
          seed: args.seed,
          ...(attentionTargets ? { attention: { targets: attentionTargets, strength: args['attention-supervision'] } } : {}),
        })
      : hard
        ? hardAttentionObjective(hardOptions)
        : attentionTargets
          ? attentionSupervisedObjective(attentionTargets, vocab, args['attention-supervision'])
          : crossEntropyObjective;
    if (resumed && state.objective && objective.restore) objective.restore(state.objective);
    const valImages = args['val-limit'] > 0 ? val.slice(0, args['val-limit']) : val;
    log(
      `vocabulary ${vocab.size} words (min count ${vocab.minCount}); ` +
        `${scst ? `self-critical: ${args['scst-samples']} samples per image` : `${examples.length} training captions`} of ${train.length} images; validating on ${valImages.length} images`,
    );
    const loop: TrainLoop = {
      decoder,
      objective,
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
          optimizer: {
            batchSize: args['batch-size'],
            learningRate: args.lr,
            clipNorm: args['clip-norm'],
            weightDecay: args['weight-decay'],
            seed: args.seed,
          },
          objective: scst
            ? {
                name: 'scst',
                samplesPerImage: args['scst-samples'],
                reward: 'CIDEr-D (training document frequencies, end token as a word)',
                baseline: 'mean of the other samples',
                initFrom: args['init-from'],
              }
            : hard
              ? { name: 'hard', attention: 'hard', ...hardOptions, baseline: 'moving average of log p(y | s, a)' }
              : attentionTargets
                ? {
                    name: 'xe',
                    attentionTargets: path.resolve(args['attention-targets']),
                    attentionSupervision: args['attention-supervision'],
                  }
                : { name: 'xe' },
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
        plateau: {
          decayFactor: args['lr-decay'],
          decayPatience: args['lr-patience'],
          stopPatience: args.patience,
          minLearningRate: 1e-6,
          minDelta: 1e-4,
        },
        selectBy: args['select-by'] as string,
        bestDir: args.out,
        runDir,
        storage: args['weights-dtype'],
        encoderDir,
        progress: args.progress,
      },
      state,
      log,
    };
    // The caller closes the run: the feature store, and the decoder and Adam (the trainer may run in-process).
    const close = async (): Promise<void> => {
      optimizer.dispose();
      decoder.dispose();
      await store.close();
    };
    return { loop, close };
  } catch (err) {
    await store.close(); // a refused or broken run leaves no file open (the trainer runs in-process too)
    throw err;
  }
}
