/**
 * The `.npy` → tfjs port of MobileNet v1 (npm run convert-weights), proven three ways:
 * the .npy format and the OHWI → HWIO transpose on small arrays; the ImageNet MobileNet the encoder
 * already loads, its batch norms folded into `.npy` files and sent through the same converter, must
 * give the same conv_pw_11 features; and the COCO-detection weights, with SSD's first class head,
 * must find the object in the sample photos (a wiring error gives noise).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { imagesToBatch, loadEncoder, readArtifacts } from '../src/encoder/index.js';
import { artifactsHandler } from '../src/encoder/artifacts.js';
import { modelFilesAt } from '../src/encoder/model-files-at.js';
import { kerasModelTopology, writeLayersModel } from '../src/encoder/npy/layers-model.js';
import { mobilenetFromNpy, npyPrefix, ohwiToHwio, SSD_MOBILENET_SCOPE } from '../src/encoder/npy/mobilenet-from-npy.js';
import { mobilenetPlan } from '../src/encoder/npy/mobilenet-plan.js';
import { formatNpy, parseNpy, readNpy } from '../src/encoder/npy/read-npy.js';
import { prepareImage } from '../src/image/load.js';
import { FileInputError } from '../src/util/user-error.js';
import { describeWithShared, sharedPath } from './shared.js';

let tmp = '';
beforeAll(async () => {
  await selectBackend();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'npy-'));
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('.npy files and kernel layouts', () => {
  it('round-trips shapes of every rank, and reads numpy v2 headers', () => {
    for (const shape of [[7], [2, 3], [2, 1, 3, 4], []]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => i * 0.5 - 3);
      const back = parseNpy(formatNpy({ shape, data }), 'x.npy');
      expect(back.shape).toEqual(shape);
      expect(Array.from(back.data)).toEqual(Array.from(data));
    }
    const v1 = formatNpy({ shape: [2], data: new Float32Array([1, 2]) });
    const headerLength = new DataView(v1.buffer).getUint16(8, true);
    const v2 = new Uint8Array(v1.length + 2);
    v2.set(v1.subarray(0, 8));
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, headerLength, true);
    v2.set(v1.subarray(10), 12);
    expect(Array.from(parseNpy(v2, 'v2.npy').data)).toEqual([1, 2]);
  });

  it('refuses what it cannot read, naming the file', () => {
    expect(() => parseNpy(new Uint8Array([1, 2, 3]), 'a.npy')).toThrow(/a\.npy: is not a \.npy file/);
    const good = formatNpy({ shape: [4], data: new Float32Array(4) });
    expect(() => parseNpy(good.subarray(0, good.length - 1), 'b.npy')).toThrow(/b\.npy: holds 15 data bytes/);
    const f8 = new TextDecoder('latin1').decode(good).replace("'<f4'", "'<f8'");
    expect(() =>
      parseNpy(
        Uint8Array.from(f8, (c) => c.charCodeAt(0)),
        'c.npy',
      ),
    ).toThrow(/c\.npy: holds <f8 numbers/);
  });

  it('transposes OHWI to HWIO element by element', () => {
    const [o, h, w, i] = [3, 2, 2, 5];
    const data = Float32Array.from({ length: o * h * w * i }, (_, k) => k);
    const out = ohwiToHwio({ shape: [o, h, w, i], data });
    expect(out.shape).toEqual([h, w, i, o]);
    const expected = tf.tidy(() => tf.transpose(tf.tensor4d(data, [o, h, w, i]), [1, 2, 3, 0]).dataSync());
    expect(Array.from(out.data)).toEqual(Array.from(expected));
  });

  it('a missing layer file is one line naming the folder and the file it looked for', async () => {
    const dir = path.join(tmp, 'empty');
    await fs.mkdir(dir);
    await expect(mobilenetFromNpy(dir)).rejects.toThrow(FileInputError);
    await expect(mobilenetFromNpy(dir)).rejects.toThrow(
      /has no FeatureExtractor_MobilenetV1_MobilenetV1_Conv2d_0_BatchNorm_batchnorm_mul\*\.npy/,
    );
  });
});

/** The Keras MobileNet's conv + batch norm of one layer → the folded (kernel, bias) in .npy layout. */
function foldBatchNorm(
  weights: tf.NamedTensorMap,
  kerasName: string,
  depthwise: boolean,
): { kernel: Float32Array; kernelShape: number[]; bias: Float32Array } {
  return tf.tidy(() => {
    const k = weights[`${kerasName}/${depthwise ? 'depthwise_kernel' : 'kernel'}`]!; // [kh, kw, in, out] or [kh, kw, C, 1]
    const bn = (v: string) => weights[`${kerasName}_bn/${v}`]!;
    const scale = tf.div(bn('gamma'), tf.sqrt(tf.add(bn('moving_variance'), 0.001))); // [C_out]
    const bias = tf.sub(bn('beta'), tf.mul(bn('moving_mean'), scale)); // [C_out]
    const folded = depthwise
      ? tf.transpose(tf.mul(k, tf.reshape(scale, [1, 1, -1, 1])), [3, 0, 1, 2]) // [1, kh, kw, C]
      : tf.transpose(tf.mul(k, scale), [3, 0, 1, 2]); // [out, kh, kw, in]
    return { kernel: folded.dataSync() as Float32Array, kernelShape: folded.shape, bias: bias.dataSync() as Float32Array };
  });
}

describeWithShared('MobileNet v1 ported from .npy', () => {
  it('the ImageNet MobileNet, folded into .npy files and converted, gives the same conv_pw_11 features', async () => {
    const keras = modelFilesAt(sharedPath('weights', 'mobilenet_v1_1.0_224'));
    const artifacts = await readArtifacts(keras);
    const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
    const npyDir = path.join(tmp, 'imagenet-npy');
    await fs.mkdir(npyDir);
    for (const conv of mobilenetPlan(11)) {
      const f = foldBatchNorm(weights, conv.kerasName, conv.kind === 'depthwise');
      await fs.writeFile(
        path.join(npyDir, `${npyPrefix('Test', conv.tfName, 'mul')}_1.npy`),
        formatNpy({ shape: f.kernelShape, data: f.kernel }),
      );
      await fs.writeFile(
        path.join(npyDir, `${npyPrefix('Test', conv.tfName, 'sub')}__9.npy`),
        formatNpy({ shape: [f.bias.length], data: f.bias }),
      );
    }
    tf.dispose(weights);
    const { layers, weights: ported } = await mobilenetFromNpy(npyDir, { scope: 'Test' });
    const outDir = path.join(tmp, 'imagenet-ported');
    await writeLayersModel(outDir, kerasModelTopology('ported', layers), ported, 'float32');

    const original = await loadEncoder({ source: sharedPath('weights', 'mobilenet_v1_1.0_224') });
    const port = await loadEncoder({ variant: 'mobilenet_v1_1.0_coco', source: outDir }); // same architecture and input range
    const photos = await Promise.all(['coffee.png', 'horse.png'].map((f) => prepareImage(sharedPath('images', f), original.imageOptions)));
    const [a, b] = [await original.encodeImages(photos), await port.encodeImages(photos)];
    original.dispose();
    port.dispose();
    let maxDiff = 0;
    let maxValue = 0;
    for (let p = 0; p < photos.length; p++) {
      for (let i = 0; i < a[p]!.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs(a[p]![i]! - b[p]![i]!));
        maxValue = Math.max(maxValue, a[p]![i]!);
      }
    }
    expect(maxValue).toBeGreaterThan(1);
    expect(maxDiff).toBeLessThan(2e-3); // float32 rounding of the folded batch norm, over 23 layers
  });

  it('the COCO-detection MobileNet with SSD’s class head finds the object in each sample photo', async () => {
    const npy = sharedPath('weights', 'ssd_mobilenet_v1_coco_npy');
    const { layers, weights } = await mobilenetFromNpy(npy, { scope: SSD_MOBILENET_SCOPE });
    const dir = path.join(tmp, 'coco');
    await writeLayersModel(dir, kerasModelTopology('coco', layers), weights, 'float16');
    const model = await tf.loadLayersModel(artifactsHandler(await readArtifacts(modelFilesAt(dir))));
    const head = await readNpy(path.join(npy, 'BoxPredictor_0_ClassPredictor_Conv2D.npy')); // [273, 1, 1, 512]
    const headBias = await readNpy(path.join(npy, 'BoxPredictor_0_ClassPredictor_biases_read__51__cf__54.npy')); // [273]
    const kernel = tf.tensor4d(ohwiToHwio(head).data, [1, 1, 512, 273]);
    const bias = tf.tensor1d(headBias.data);
    // COCO ids: 1 person, 4 motorcycle, 18 dog, 19 horse, 47 cup.
    const expected: Record<string, number> = { 'horse.png': 19, 'coffee.png': 47, 'motorcycle_left.png': 4, 'astronaut.png': 1 };
    const gray = { r: 120, g: 120, b: 120 };
    for (const [file, cocoId] of Object.entries(expected)) {
      const small = await sharp(sharedPath('images', file)).removeAlpha().resize(90, 90, { fit: 'fill' }).png().toBuffer();
      const canvas = await sharp({ create: { width: 300, height: 300, channels: 3, background: gray } })
        .composite([{ input: small, left: 120, top: 100 }])
        .removeAlpha()
        .raw()
        .toBuffer();
      const scores = tf.tidy(() => {
        const x = tf.sub(tf.div(tf.tensor4d(new Uint8Array(canvas), [1, 300, 300, 3], 'int32').toFloat(), 127.5), 1); // [1, 300, 300, 3]
        const features = model.predict(x) as tf.Tensor4D; // [1, 19, 19, 512]
        const logits = tf.add(tf.conv2d(features, kernel, 1, 'valid'), bias); // [1, 19, 19, 273]
        return tf.max(tf.sigmoid(tf.reshape(logits, [-1, 91])), 0).dataSync(); // [91], max over cells and anchors
      });
      const ranked = Array.from(scores.slice(1), (s, i) => ({ id: i + 1, s })).sort((p, q) => q.s - p.s);
      expect(ranked[0]!.id, `${file}: top class ${ranked[0]!.id} (${ranked[0]!.s.toFixed(2)})`).toBe(cocoId);
      expect(ranked[0]!.s).toBeGreaterThan(0.3);
    }
    tf.dispose([kernel, bias]);
    model.dispose();
  });

  it('the converted COCO encoder reads a 14×14×512 grid at 224 px', async () => {
    const dir = path.join(tmp, 'coco-enc');
    const { layers, weights } = await mobilenetFromNpy(sharedPath('weights', 'ssd_mobilenet_v1_coco_npy'));
    await writeLayersModel(dir, kerasModelTopology('coco', layers), weights, 'float16');
    const encoder = await loadEncoder({ variant: 'mobilenet_v1_1.0_coco', source: dir });
    expect(encoder.fingerprint.id).toMatch(/^mobilenet_v1_1\.0_coco\/conv_pw_11_relu\/14x14x512\/224px-squash\/sha256:/);
    const batch = imagesToBatch([await prepareImage(sharedPath('images', 'coffee.png'), encoder.imageOptions)]);
    const before = tf.memory().numTensors;
    const out = encoder.encode(batch); // [1, 196, 512]
    expect(out.shape).toEqual([1, 196, 512]);
    tf.dispose([out, batch]);
    expect(tf.memory().numTensors).toBe(before - 1);
    encoder.dispose();
  });
});
