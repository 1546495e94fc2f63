/** A tiny in-memory training setup (24 images of 4×6 features, a 4/5/3 decoder) for trainer tests. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CaptionedImage } from '../src/data/dataset.js';
import { Vocabulary } from '../src/data/vocabulary.js';
import { createDecoder } from '../src/decoder/decoder.js';
import type { FeatureSource } from '../src/train/batch-tensors.js';
import { buildExamples } from '../src/train/examples.js';
import { createAdam } from '../src/train/adam.js';
import { initialPlateau } from '../src/train/plateau.js';
import { emptyEpochSums } from '../src/train/train-state.js';
import type { TrainLoop, TrainLoopOptions } from '../src/train/trainer.js';
import { makeValidator } from '../src/train/validate.js';
import { mulberry32 } from '../src/util/random.js';

const L = 4,
  D = 6;
const WORDS = ['red', 'blue', 'circle', 'square'];

/** 20 training and 4 validation images; each caption names one of 2 colours and one of 2 shapes. */
export const TINY_IMAGES: CaptionedImage[] = Array.from({ length: 24 }, (_, i) => ({
  id: `im${i}`,
  file: `im${i}.png`,
  split: i < 20 ? 'train' : 'val',
  captions: [`a ${WORDS[i % 2]} ${WORDS[2 + ((i >> 1) % 2)]}`],
}));

/** A FeatureSource over vectors held in memory: image id → [L·D] floats. */
export function inMemoryFeatures(vectors: ReadonlyMap<string, Float32Array>, L: number, D: number): FeatureSource {
  return {
    regions: L,
    depth: D,
    read: async (keys) => {
      const all = new Float32Array(keys.length * L * D);
      keys.forEach((k, i) => all.set(vectors.get(k)!, i * L * D));
      return all;
    },
  };
}

/** A ready TrainLoop in a fresh temp folder; `options` override the defaults. */
export async function tinyTrainLoop(options: Partial<TrainLoopOptions> = {}): Promise<{ loop: TrainLoop; dir: string }> {
  const rng = mulberry32(5);
  const images = TINY_IMAGES;
  const source = inMemoryFeatures(new Map(images.map((im) => [im.id, Float32Array.from({ length: L * D }, () => rng())])), L, D);
  const train = images.filter((im) => im.split === 'train');
  const vocab = Vocabulary.build(
    train.flatMap((im) => im.captions),
    { minCount: 1 },
  );
  const decoder = createDecoder({ vocabSize: vocab.size, featureDim: D, embedDim: 4, hiddenDim: 5, attentionDim: 3, seed: 2 });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tiny-train-'));
  const loop: TrainLoop = {
    decoder,
    optimizer: createAdam(1e-2, decoder.getWeights()),
    examples: buildExamples(train, vocab, 8),
    features: source,
    validate: makeValidator({ images: images.filter((im) => im.split === 'val'), features: source, vocab, maxLength: 6 }),
    identity: { encoder: 'test', grid: { height: 2, width: 2 }, config: decoder.config, vocab: vocab.toJSON(), summary: {} },
    options: {
      batchSize: 8,
      maxEpochs: 4,
      maxSteps: 0,
      clipNorm: 5,
      weightDecay: 1e-3,
      seed: 1,
      checkpointEvery: 1,
      plateau: { decayFactor: 0.5, decayPatience: 1, stopPatience: 100, minLearningRate: 1e-6, minDelta: 1e9 }, // LR decays every epoch
      selectBy: 'BLEU-4',
      bestDir: path.join(dir, 'best'),
      runDir: path.join(dir, 'run'),
      storage: 'float32',
      progress: false,
      ...options,
    },
    state: { epoch: 0, batchInEpoch: 0, step: 0, plateau: initialPlateau(1e-2), history: [], epochSums: emptyEpochSums(), stopped: false },
    log: () => {},
  };
  return { loop, dir };
}
