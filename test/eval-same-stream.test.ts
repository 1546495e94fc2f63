/**
 * Captions a person reads, scored as the model wrote them: printed text is detokenized, and
 * validation during training and `evaluate` score the same words (so their numbers agree exactly).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { checkpointFolder, saveCheckpoint } from '../src/checkpoint/checkpoint.js';
import { detokenize } from '../src/data/detokenize.js';
import { FeatureStoreReader, FeatureStoreWriter } from '../src/data/feature-store.js';
import { CaptionModel } from '../src/model/caption-model.js';
import { evaluateCheckpoint } from '../src/eval/evaluate-checkpoint.js';
import { runTraining } from '../src/train/trainer.js';
import { TINY_IMAGES, tinyTrainLoop } from './tiny-training.js';

beforeAll(async () => {
  await selectBackend({ log: () => {} });
});

describe('detokenize', () => {
  it.each([
    [['a', 'man', "'s", 'shirt'], "a man's shirt"],
    [['he', 'does', "n't", 'run'], "he doesn't run"],
    [['they', 'ca', "n't", 'see', 'it'], "they can't see it"],
    [['it', 'wo', "n't", 'stop'], "it won't stop"],
    [['we', "'re", 'gon', 'na', 'go'], "we're gonna go"],
    [['a', 'dog'], 'a dog'],
    [[], ''],
  ])('%j → %j', (words, text) => {
    expect(detokenize(words)).toBe(text);
  });
});

describe('validation and evaluate', () => {
  it('give the same scores for the same model on the same images', async () => {
    const { loop, dir } = await tinyTrainLoop({ maxEpochs: 2 });
    await runTraining(loop);
    const val = TINY_IMAGES.filter((im) => im.split === 'val');
    const fromValidation = await loop.validate(loop.decoder);

    const features = path.join(dir, 'features');
    const writer = await FeatureStoreWriter.open(features, { encoder: 'test', grid: { height: 2, width: 2 }, regions: 4, depth: 6 });
    const vectors = await loop.features.read(val.map((im) => im.id));
    for (const [i, im] of val.entries()) await writer.append({ key: im.id, width: 8, height: 8 }, vectors.slice(i * 24, (i + 1) * 24));
    await writer.close();
    const ckpt = path.join(dir, 'ckpt');
    await saveCheckpoint(ckpt, {
      encoder: 'test',
      grid: { height: 2, width: 2 },
      config: loop.decoder.config,
      vocab: loop.identity.vocab,
      weights: loop.decoder.getWeights(),
    });
    const captioner = await CaptionModel.read(await checkpointFolder(ckpt));
    const store = await FeatureStoreReader.open(features);
    const [greedy] = await evaluateCheckpoint(captioner, store, { images: val, beams: [1], maxLength: 6, heldOut: [] });
    await store.close();
    captioner.dispose();
    loop.decoder.dispose();
    for (const [name, score] of Object.entries(greedy!.scores)) expect(score, name).toBe(fromValidation[name]);
    await fs.rm(dir, { recursive: true, force: true });
  });
});
