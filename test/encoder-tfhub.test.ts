/**
 * The TF-Hub graph MobileNet through @tensorflow-models/mobilenet, tapped at Conv2d_11_pointwise, and
 * the one-line failure users get when the online default cannot be downloaded.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { imagesToBatch, loadEncoder, variantNamed, WeightsUnavailableError, type Encoder } from '../src/encoder/index.js';
import { prepareImage } from '../src/image/load.js';
import { UserError } from '../src/util/user-error.js';
import { describeWithShared, sharedPath } from './shared.js';

beforeAll(async () => {
  await selectBackend();
});

describeWithShared('TF-Hub MobileNet v1 α=0.25 via @tensorflow-models/mobilenet', () => {
  let encoder: Encoder;
  beforeAll(async () => {
    encoder = await loadEncoder({ variant: 'tfhub_mobilenet_v1_0.25', source: sharedPath('weights', 'mobilenet_v1_0.25_224_tfhub') });
  });
  afterAll(() => encoder?.dispose());

  it('taps Conv2d_11_pointwise/Relu6 for a 14×14×128 feature map', async () => {
    expect(encoder.grid).toEqual({ height: 14, width: 14 });
    expect(encoder.depth).toBe(128);
    expect(encoder.fingerprint.id).toMatch(
      /^tfhub_mobilenet_v1_0\.25\/module_apply_default\/MobilenetV1\/MobilenetV1\/Conv2d_11_pointwise\/Relu6\/14x14x128\/224px-squash\/sha256:[0-9a-f]{64}$/,
    );
    const photo = await prepareImage(sharedPath('images', 'coffee.png'), encoder.imageOptions);
    const before = tf.memory().numTensors;
    const batch = imagesToBatch([photo, photo]); // [2, 224, 224, 3]
    const out = encoder.encode(batch); // [2, 196, 128]
    expect(out.shape).toEqual([2, 196, 128]);
    expect(out.dtype).toBe('float32');
    const values = await out.data();
    expect(values.every((v) => v >= 0 && v <= 6)).toBe(true);
    expect(values.some((v) => v > 0)).toBe(true);
    tf.dispose([batch, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('hashes only the weights feeding the tapped node', async () => {
    const deeper = await loadEncoder({
      variant: 'tfhub_mobilenet_v1_0.25',
      source: sharedPath('weights', 'mobilenet_v1_0.25_224_tfhub'),
      layer: 'module_apply_default/MobilenetV1/MobilenetV1/Conv2d_13_pointwise/Relu6',
    });
    try {
      expect([deeper.grid, deeper.depth]).toEqual([{ height: 7, width: 7 }, 256]);
      expect(deeper.fingerprint.weightsSha256).not.toBe(encoder.fingerprint.weightsSha256);
    } finally {
      deeper.dispose();
    }
  });
});

describe('online weights when offline', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('the online default fails with one line saying how to give local weights', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    for (const variant of ['tfhub_mobilenet_v1_1.0', 'mobilenet_v1_1.0'] as const) {
      const err = await loadEncoder({ variant }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WeightsUnavailableError);
      expect(err).toBeInstanceOf(UserError);
      const host = new URL(variantNamed(variant).url!).host;
      expect((err as Error).message).toBe(
        `cannot download encoder weights from ${host} (offline?): pass --encoder-weights <dir> with a local copy (see README)`,
      );
    }
  });

  it('an unreachable URL fails fast with the same message', async () => {
    const started = Date.now();
    const err = await loadEncoder({ variant: 'tfhub_mobilenet_v1_0.25', source: 'http://127.0.0.1:9/model.json' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeightsUnavailableError);
    expect((err as Error).message).toBe(
      'cannot download encoder weights from 127.0.0.1:9 (offline?): pass --encoder-weights <dir> with a local copy (see README)',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
