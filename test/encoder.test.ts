/**
 * The default encoder (Keras MobileNet v1 α=1.0 cut at conv_pw_11_relu) on real photos: the
 * annotation-vector shape, batching, no tensor leaks, and a fingerprint that is stable across loads,
 * tells encoders apart, and ignores the weights after the annotation layer.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { imagesToBatch, loadEncoder, type Encoder } from '../src/encoder/index.js';
import { prepareImage } from '../src/image/load.js';
import type { PreparedImage } from '../src/image/types.js';
import { FileInputError } from '../src/util/user-error.js';
import { describeWithShared, sharedPath } from './shared.js';

const ALPHA_1 = (): string => sharedPath('weights', 'mobilenet_v1_1.0_224');
const ALPHA_025 = (): string => sharedPath('weights', 'mobilenet_v1_0.25_224');

describeWithShared('encoder: MobileNet v1 α=1.0 at conv_pw_11_relu', () => {
  let encoder: Encoder;
  let photos: PreparedImage[];
  let tmp = '';

  beforeAll(async () => {
    await selectBackend();
    encoder = await loadEncoder({ source: ALPHA_1() });
    photos = await Promise.all(
      ['coffee.png', 'chelsea.png', 'motorcycle_left.png'].map((f) => prepareImage(sharedPath('images', f), encoder.imageOptions)),
    );
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'encoder-'));
  });
  afterAll(async () => {
    encoder?.dispose();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('describes the paper-shaped feature map: 14×14 grid of 512-d vectors from 224px photos', () => {
    expect(encoder.grid).toEqual({ height: 14, width: 14 });
    expect(encoder.depth).toBe(512);
    expect(encoder.inputSize).toBe(224);
    expect(encoder.imageOptions).toEqual({ size: 224, policy: 'squash' });
    expect(encoder.fingerprint.id).toMatch(/^mobilenet_v1_1\.0\/conv_pw_11_relu\/14x14x512\/224px-squash\/sha256:[0-9a-f]{64}$/);
  });

  it('encodes a [B,224,224,3] batch to [B,196,512] float32 ReLU6 activations', async () => {
    const batch = imagesToBatch(photos); // [3, 224, 224, 3]
    const out = encoder.encode(batch); // [3, 196, 512]
    expect(out.shape).toEqual([3, 196, 512]);
    expect(out.dtype).toBe('float32');
    const values = (await out.data()) as Float32Array;
    batch.dispose();
    out.dispose();
    const min = values.reduce((m, v) => Math.min(m, v), Infinity);
    const max = values.reduce((m, v) => Math.max(m, v), -Infinity);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(6);
    expect(max).toBeGreaterThan(0);
  });

  it('gives the same vectors for a batch of N as for N single photos (to 1e-4)', async () => {
    const batched = await encoder.encodeImages(photos, photos.length);
    const single = await encoder.encodeImages(photos, 1);
    expect(batched).toHaveLength(3);
    for (let i = 0; i < photos.length; i++) {
      const a = batched[i]!;
      const b = single[i]!;
      expect(a.length).toBe(196 * 512);
      let worst = 0;
      for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
      expect(worst).toBeLessThan(1e-4);
    }
    // Different photos give different vectors.
    expect(batched[0]!.some((v, j) => Math.abs(v - batched[1]![j]!) > 1e-3)).toBe(true);
  });

  it('leaks no tensors across repeated encode / encodeImages calls', async () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const batch = imagesToBatch(photos.slice(0, 1));
      encoder.encode(batch).dispose();
      batch.dispose();
    }
    await encoder.encodeImages(photos.slice(0, 2), 1);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a batch of the wrong size', () => {
    const wrong = tf.zeros([1, 112, 112, 3]) as tf.Tensor4D;
    expect(() => encoder.encode(wrong)).toThrow(/expected \[B, 224, 224, 3\]/);
    wrong.dispose();
  });

  it('has a fingerprint stable across loads and distinct from α=0.25 and from another layer', async () => {
    const again = await loadEncoder({ source: ALPHA_1() });
    const small = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: ALPHA_025() });
    const deeper = await loadEncoder({ source: ALPHA_1(), layer: 'conv_pw_12_relu' });
    try {
      expect(again.fingerprint).toEqual(encoder.fingerprint);
      expect(small.fingerprint.id).toMatch(/^mobilenet_v1_0\.25\/conv_pw_11_relu\/14x14x128\//);
      expect(small.fingerprint.weightsSha256).not.toBe(encoder.fingerprint.weightsSha256);
      expect([deeper.grid, deeper.depth]).toEqual([{ height: 7, width: 7 }, 1024]);
      expect(deeper.fingerprint.weightsSha256).not.toBe(encoder.fingerprint.weightsSha256);
      expect(deeper.fingerprint.id).not.toBe(encoder.fingerprint.id);
    } finally {
      again.dispose();
      small.dispose();
      deeper.dispose();
    }
  });

  it('records the resize policy in the fingerprint', async () => {
    const cropped = await loadEncoder({ source: ALPHA_1(), resize: 'center-crop' });
    try {
      expect(cropped.fingerprint.weightsSha256).toBe(encoder.fingerprint.weightsSha256);
      expect(cropped.fingerprint.id).not.toBe(encoder.fingerprint.id);
      expect(cropped.imageOptions.policy).toBe('center-crop');
    } finally {
      cropped.dispose();
    }
  });

  it('never reads the shards after the annotation layer, and hashes only the weights it uses', async () => {
    // A copy of the α=1.0 folder without the conv_*_12 shards still loads, to the same fingerprint.
    const copy = path.join(tmp, 'without-block-12');
    await fs.mkdir(copy);
    const modelJson = JSON.parse(await fs.readFile(path.join(ALPHA_1(), 'model.json'), 'utf8'));
    let dropped = 0;
    for (const group of modelJson.weightsManifest as { paths: string[]; weights: { name: string }[] }[]) {
      const late = group.weights.every((w) => /^conv_(dw|pw)_12[/_]/.test(w.name));
      for (const p of group.paths) {
        if (late) dropped++;
        else await fs.symlink(path.join(ALPHA_1(), p), path.join(copy, p));
      }
    }
    expect(dropped).toBeGreaterThan(0);
    await fs.copyFile(path.join(ALPHA_1(), 'model.json'), path.join(copy, 'model.json'));
    const fromCopy = await loadEncoder({ source: copy });
    try {
      expect(fromCopy.fingerprint.id).toBe(encoder.fingerprint.id);
    } finally {
      fromCopy.dispose();
    }
  });

  it('frees every weight tensor on dispose', async () => {
    const before = tf.memory().numTensors;
    const extra = await loadEncoder({ source: ALPHA_1() });
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    extra.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('says which file is wrong when a needed shard is missing', async () => {
    const copy = path.join(tmp, 'missing-shard');
    await fs.mkdir(copy);
    for (const f of await fs.readdir(ALPHA_1())) {
      if (f !== 'group1-shard1of1') await fs.symlink(path.join(ALPHA_1(), f), path.join(copy, f));
    }
    const err = await loadEncoder({ source: copy }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileInputError);
    expect((err as FileInputError).file).toBe(path.join(copy, 'group1-shard1of1'));
    expect((err as Error).message).toMatch(/group1-shard1of1: no such file: a weight shard listed in model.json is missing/);
  });

  it('refuses weights of another MobileNet for the variant asked for', async () => {
    const err = await loadEncoder({ variant: 'mobilenet_v1_1.0', source: ALPHA_025() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileInputError);
    expect((err as Error).message).toMatch(/gives 14×14×128 at conv_pw_11_relu, but encoder mobilenet_v1_1\.0 expects 14×14×512/);
  });

  it('names the layers it has when asked for one it has not', async () => {
    const err = await loadEncoder({ source: ALPHA_1(), layer: 'conv_pw_13_relu' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileInputError);
    expect((err as Error).message).toMatch(/has no layer "conv_pw_13_relu" \(its 76 layers end with: .*conv_pw_12_relu\)/);
  });
});
