/**
 * The image path into the encoder is right (RGB order, 0..255 → [-1, 1], resize policy): the complete
 * α=0.25 Keras classifier, read through the *encoder itself* with its annotation layer moved to the
 * softmax, must call coffee.png "espresso" and motorcycle_left.png "moped" — with our default resize
 * policy (squash) as well as ImageNet's centre crop. A wrong range, BGR order or a bad resize shows up
 * at once as wrong classes.
 */
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { imagesToBatch, loadEncoder, scaleToInputRange, type Encoder } from '../src/encoder/index.js';
import { DEFAULT_IMAGE_OPTIONS, prepareImage } from '../src/image/load.js';
import type { PreparedImage, ResizePolicy } from '../src/image/types.js';
import { describeWithShared, sharedPath } from './shared.js';

describe('preprocessing helpers', () => {
  beforeAll(async () => {
    await selectBackend();
  });

  it('stacks prepared photos into [B, S, S, 3] float32 holding their RGB bytes', async () => {
    const photo = (file: string, fill: (i: number) => number): PreparedImage => {
      const pixels = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => fill(i));
      return { file, originalWidth: 4, originalHeight: 4, region: { left: 0, top: 0, width: 4, height: 4 }, size: 4, pixels };
    };
    const a = photo('a', (i) => i);
    const b = photo('b', (i) => 255 - i);
    const batch = imagesToBatch([a, b]);
    expect(batch.shape).toEqual([2, 4, 4, 3]);
    expect(batch.dtype).toBe('float32');
    const values = await batch.data();
    expect(Array.from(values.slice(0, 48))).toEqual(Array.from(a.pixels));
    expect(Array.from(values.slice(48))).toEqual(Array.from(b.pixels));
    batch.dispose();
    expect(() => imagesToBatch([a, { ...b, size: 8 }])).toThrow(/b is 8px/);
    expect(() => imagesToBatch([])).toThrow(/no images/);
  });

  it('maps 0..255 linearly onto the network range: Keras [-1, 1], TF-Hub [0, 1]', async () => {
    const x = tf.tensor4d([0, 127.5, 255], [1, 1, 1, 3]);
    const keras = scaleToInputRange(x, [-1, 1]);
    const hub = scaleToInputRange(x, [0, 1]);
    expect(Array.from(await keras.data())).toEqual([-1, 0, 1]);
    expect(Array.from(await hub.data())).toEqual([0, 0.5, 1]);
    tf.dispose([x, keras, hub]);
  });
});

describeWithShared('preprocessing: the α=0.25 classifier through the encoder path', () => {
  let classifier: Encoder;
  let labels: string[];

  beforeAll(async () => {
    await selectBackend();
    const dir = sharedPath('weights', 'mobilenet_v1_0.25_224');
    labels = (JSON.parse(await fs.readFile(`${dir}/metadata.json`, 'utf8')) as { labels: string[] }).labels;
    // The softmax layer is [1, 1, 1000]: as an "annotation layer" it yields one 1000-d vector per photo.
    classifier = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: dir, layer: 'act_softmax' });
  });
  afterAll(() => classifier?.dispose());

  async function top(file: string, policy: ResizePolicy): Promise<{ label: string; p: number }> {
    const photo = await prepareImage(sharedPath('images', file), { ...classifier.imageOptions, policy });
    const [probs] = await classifier.encodeImages([photo]);
    let best = 0;
    probs!.forEach((p, i) => {
      if (p > probs![best]!) best = i;
    });
    return { label: labels[best]!, p: probs![best]! };
  }

  it('reads 1000 ImageNet labels and gives a 1×1×1000 "grid"', () => {
    expect(labels).toHaveLength(1000);
    expect([classifier.grid, classifier.depth]).toEqual([{ height: 1, width: 1 }, 1000]);
    expect(classifier.imageOptions.policy).toBe(DEFAULT_IMAGE_OPTIONS.policy);
  });

  it.each(['squash', 'center-crop'] as const)('classifies coffee.png as espresso and motorcycle_left.png as moped (%s)', async (policy) => {
    const coffee = await top('coffee.png', policy);
    const motorbike = await top('motorcycle_left.png', policy);
    expect(coffee.label).toBe('espresso');
    expect(coffee.p).toBeGreaterThan(0.5);
    expect(motorbike.label).toBe('moped');
    expect(motorbike.p).toBeGreaterThan(0.3);
  });
});
