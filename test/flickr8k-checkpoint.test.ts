/**
 * The shipped Flickr8k captioner on real photos: it loads, its encoder fingerprint matches the encoder
 * shipped inside it (the float16 copy of the MobileNet it was trained on, to which it was rebound), and
 * it writes non-empty, non-degenerate captions for test photos with its chosen decoding settings.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { checkpointFolder } from '../src/checkpoint/checkpoint.js';
import { CaptionModel } from '../src/model/caption-model.js';
import type { Encoder } from '../src/encoder/encoder.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';
import { assertSameEncoder, encoderConfigOf } from '../src/encoder/fingerprint.js';
import { imagesToBatch } from '../src/encoder/preprocess.js';
import { prepareImage } from '../src/image/load.js';
import { checkpointPath, describeWithCheckpoint, sharedPath } from './shared.js';

const CHECKPOINT = checkpointPath('flickr8k');

describeWithCheckpoint(CHECKPOINT, 'shipped Flickr8k checkpoint', () => {
  let captioner: CaptionModel;
  let encoder: Encoder;
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
    captioner = await CaptionModel.read(await checkpointFolder(CHECKPOINT));
    encoder = await loadEncoder({ ...encoderConfigOf(captioner.encoderId), source: path.join(CHECKPOINT, 'encoder') });
  });
  afterAll(() => {
    captioner?.dispose();
    encoder?.dispose();
  });

  it('names exactly the encoder it ships; the float32 original is the same network at another fingerprint', async () => {
    expect(() => assertSameEncoder(captioner.encoderId, encoder.fingerprint)).not.toThrow();
    const original = await loadEncoder({ ...encoderConfigOf(captioner.encoderId), source: sharedPath('weights', 'mobilenet_v1_1.0_224') });
    expect(original.fingerprint.id).not.toBe(encoder.fingerprint.id);
    expect(original.fingerprint.id.split('/sha256:')[0]).toBe(encoder.fingerprint.id.split('/sha256:')[0]);
    original.dispose();
  });

  it('captions five test photos with real, non-degenerate sentences', async () => {
    const testList = readFileSync(sharedPath('datasets', 'flickr8k', 'Flickr_8k.testImages.txt'), 'utf8')
      .split(/\r?\n/)
      .filter(Boolean);
    const files = testList.slice(0, 5).map((f) => sharedPath('datasets', 'flickr8k', 'images', f));
    const images = await Promise.all(files.map((f) => prepareImage(f, encoder.imageOptions)));
    const features = tf.tidy(() => encoder.encode(imagesToBatch(images))); // [5, L, D]
    const captions = captioner.caption(features, { ...captioner.decoding, maxLength: 20 });
    features.dispose();
    for (const c of captions) {
      const words = c.words.map((w) => w.word);
      expect(words.length).toBeGreaterThanOrEqual(3);
      for (let i = 2; i < words.length; i++) {
        expect(words[i] === words[i - 1] && words[i] === words[i - 2], `"${c.text}" repeats "${words[i]}"`).toBe(false);
      }
      expect(words, c.text).not.toContain('<unk>');
      expect(c.text).not.toMatch(/<unk>|<end>|<start>|<pad>/);
      for (const w of c.words) expect(w.alpha.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    expect(new Set(captions.map((c) => c.text)).size).toBeGreaterThan(1); // not one caption for every photo
  });
});
