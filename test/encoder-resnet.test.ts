/**
 * The ResNet-50 v2 port (npm run convert-weights -- --arch resnet_v2_50), unit by unit: a small random
 * network written as `.npy` files in TF-slim's naming, converted, must give what a plain reference
 * computation of TF-slim's wiring gives (explicit padding, stride in the last unit's 3×3 conv, the
 * projection shortcut from the pre-activation in a block's first unit, x subsampled in a strided unit,
 * x itself otherwise). And the real weights give a 14×14×1024 grid at 224 px.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { artifactsHandler } from '../src/encoder/artifacts.js';
import { loadEncoder, readArtifacts } from '../src/encoder/index.js';
import { modelFilesAt } from '../src/encoder/model-files-at.js';
import { kerasModelTopology, writeLayersModel } from '../src/encoder/npy/layers-model.js';
import { RESNET50_UNITS, RESNET_ANNOTATION_LAYER, resnetFromNpy } from '../src/encoder/npy/resnet-from-npy.js';
import { formatNpy } from '../src/encoder/npy/read-npy.js';
import { mulberry32 } from '../src/util/random.js';
import { describeWithShared, sharedPath } from './shared.js';

let tmp = '';
beforeAll(async () => {
  await selectBackend({ log: () => {} });
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'resnet-'));
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

/** A tiny ResNet-50-shaped network: root 4 channels, bottleneck widths 2/3/4, outputs 8/12/16. */
const ROOT = 4;
const WIDTH = [2, 3, 4];
const OUT = [8, 12, 16];

interface Conv {
  kernel: tf.Tensor4D; // HWIO, as the reference uses it
  bias: tf.Tensor1D;
}

describe('ResNet-50 v2 wiring against a plain reference', () => {
  it('every unit: padding, stride placement and shortcuts as TF-slim builds them', async () => {
    const rng = mulberry32(11);
    const rand = (shape: number[], scale: number) =>
      Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() * 2 - 1) * scale);
    const dir = path.join(tmp, 'npy');
    await fs.mkdir(dir);
    const write = (name: string, shape: number[], data: Float32Array) =>
      fs.writeFile(path.join(dir, `resnet_v2_50_${name}.npy`), formatNpy({ shape, data }));
    /** Writes a conv as OHWI .npy and returns it as HWIO tensors for the reference. */
    const conv = async (scope: string, k: number, cin: number, cout: number): Promise<Conv> => {
      const ohwi = rand([cout, k, k, cin], 1 / Math.sqrt(k * k * cin));
      const bias = rand([cout], 0.1);
      await write(`${scope}_weights`, [cout, k, k, cin], ohwi);
      await write(`${scope}_Conv2D_bias`, [cout], bias);
      return { kernel: tf.transpose(tf.tensor4d(ohwi, [cout, k, k, cin]), [1, 2, 3, 0]) as tf.Tensor4D, bias: tf.tensor1d(bias) };
    };
    const preact = async (scope: string, c: number): Promise<{ mul: tf.Tensor1D; add: tf.Tensor1D }> => {
      const mul = Float32Array.from(rand([c], 0.5), (v) => 1 + v);
      const add = rand([c], 0.2);
      await write(`${scope}_preact_FusedBatchNorm_mul_0_param`, [c], mul);
      await write(`${scope}_preact_FusedBatchNorm_add_param`, [c], add);
      return { mul: tf.tensor1d(mul), add: tf.tensor1d(add) };
    };

    // The reference: TF-slim's resnet_v2 in plain ops, each padding written out.
    const applyConv = (x: tf.Tensor4D, c: Conv, stride: number, pad: number) =>
      tf.add(
        tf.conv2d(
          pad
            ? tf.pad(x, [
                [0, 0],
                [pad, pad],
                [pad, pad],
                [0, 0],
              ])
            : x,
          c.kernel,
          stride,
          'valid',
        ),
        c.bias,
      ) as tf.Tensor4D;
    const root = await conv('conv1', 7, 3, ROOT);
    const input = tf.tensor4d(rand([2, 64, 64, 3], 1), [2, 64, 64, 3]); // [B, 64, 64, 3]
    let x = tf.maxPool(applyConv(input, root, 2, 3), 3, 2, 'same'); // [B, 16, 16, ROOT]
    let channels = ROOT;
    const steps: { block: number; unit: number; shape: number[] }[] = [];
    for (const [i, units] of RESNET50_UNITS.entries()) {
      for (let u = 1; u <= units; u++) {
        const scope = `block${i + 1}_unit_${u}_bottleneck_v2`;
        const bn = await preact(scope, channels);
        const pre = tf.relu(tf.add(tf.mul(x, bn.mul), bn.add)) as tf.Tensor4D;
        if (i === 2 && u === units) {
          x = pre; // the annotation grid: unit 6's pre-activation of unit 5's output
          break;
        }
        const stride = u === units ? 2 : 1;
        const c1 = await conv(`${scope}_conv1`, 1, channels, WIDTH[i]!);
        const c2 = await conv(`${scope}_conv2`, 3, WIDTH[i]!, WIDTH[i]!);
        const c3 = await conv(`${scope}_conv3`, 1, WIDTH[i]!, OUT[i]!);
        const shortcut =
          u === 1
            ? applyConv(pre, await conv(`${scope}_shortcut`, 1, channels, OUT[i]!), 1, 0)
            : stride === 2
              ? (tf.stridedSlice(x, [0, 0, 0, 0], x.shape, [1, 2, 2, 1]) as tf.Tensor4D)
              : x;
        let r = tf.relu(applyConv(pre, c1, 1, 0)) as tf.Tensor4D;
        r = tf.relu(applyConv(r, c2, stride, 1)) as tf.Tensor4D; // stride 1: "same" = pad 1; stride 2: pad 1 then VALID
        r = applyConv(r, c3, 1, 0);
        x = tf.add(r, shortcut) as tf.Tensor4D;
        channels = OUT[i]!;
        steps.push({ block: i + 1, unit: u, shape: x.shape });
      }
    }
    expect(x.shape).toEqual([2, 4, 4, OUT[2]!]); // 64 → conv1 32 → pool 16 → block 1 8 → block 2 4 → block 3 (units 1–5) 4

    const { layers, weights } = await resnetFromNpy(dir);
    const out = path.join(tmp, 'converted');
    await writeLayersModel(out, kerasModelTopology('tiny', layers), weights, 'float32');
    const model = await tf.loadLayersModel(artifactsHandler(await readArtifacts(modelFilesAt(out))));
    expect(model.outputs[0]!.name).toContain(RESNET_ANNOTATION_LAYER);
    const got = model.predict(input) as tf.Tensor4D;
    expect(got.shape).toEqual(x.shape);
    const diff = tf.max(tf.abs(tf.sub(got, x))).dataSync()[0]!;
    const scale = tf.max(tf.abs(x)).dataSync()[0]!;
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThan(1e-4 * Math.max(1, scale));
    // And every unit on the way: each Keras unit output equals the reference unit output's shape.
    for (const s of steps) expect(model.getLayer(`block${s.block}_unit${s.unit}_add`).outputShape.slice(3)).toEqual([s.shape[3]]);
    model.dispose();
  });
});

describeWithShared('ResNet-50 v2 with the real weights', () => {
  it('converts and reads a 14×14×1024 grid at 224 px, non-negative (after the pre-activation ReLU) and not constant', async () => {
    const out = path.join(tmp, 'resnet-real');
    const { layers, weights } = await resnetFromNpy(sharedPath('weights', 'resnet_v2_50_npy'));
    await writeLayersModel(out, kerasModelTopology('resnet_v2_50', layers), weights, 'float16');
    const encoder = await loadEncoder({ variant: 'resnet_v2_50', source: out });
    expect(encoder.fingerprint.id).toMatch(/^resnet_v2_50\/block3_unit6_preact_relu\/14x14x1024\/224px-squash\//);
    const input = tf.randomUniform([1, 224, 224, 3], 0, 255) as tf.Tensor4D;
    const features = encoder.encode(input); // [1, 196, 1024]
    expect(features.shape).toEqual([1, 196, 1024]);
    const [min, max] = [tf.min(features).dataSync()[0]!, tf.max(features).dataSync()[0]!];
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeGreaterThan(0.5);
    tf.dispose([input, features]);
    encoder.dispose();
  });
});
