/**
 * The folded network (src/fast-paths/folded-network.ts): a Keras network run with each convolution's
 * batch norm folded into its kernel and its ReLU / ReLU6 fused into the same op must give Keras's own
 * `predict`, on every backend here — on small networks built to hit each rule (a batch norm with its
 * own statistics, without γ or β, a depthwise multiplier, strides and dilations, odd sizes, a
 * convolution read twice, an activation it does not fuse, pooling and concatenation, a batch norm
 * that is the output, convolutions it must not fold), and on the repository's real encoder and
 * detector, where it must really fold (no batch-norm or min kernel left) and peak no higher than
 * `predict`. It keeps its folded kernels until released, and nothing else.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultInitializers } from '../src/backend/select.js';
import { loadLayersNetwork } from '../src/encoder/layers-network.js';
import { modelFilesAt } from '../src/encoder/model-files-at.js';
import { SSD_CLASS_HEAD } from '../src/encoder/npy/mobilenet-plan.js';
import { foldedNetwork, releaseFoldedNetwork } from '../src/fast-paths/folded-network.js';
import { setFastPaths } from '../src/fast-paths/dispatch.js';
import { mulberry32 } from '../src/util/random.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';
import { repoRoot } from './pack.js';

const nativeWhy = await nativeUnavailable();
const BACKENDS = ['cpu', 'wasm', ...(nativeWhy === undefined || NATIVE_REQUIRED ? ['tensorflow'] : [])];

afterAll(async () => {
  setFastPaths(true);
  await tf.setBackend('cpu');
});

async function use(backend: string): Promise<void> {
  if (backend === 'wasm') await defaultInitializers.wasm();
  if (backend === 'tensorflow') await defaultInitializers.tensorflow();
  await tf.setBackend(backend);
}

/** Sets every weight of `model` to seeded random values; batch norm variances positive, γ away from 0. */
function randomize(model: tf.LayersModel, seed: number): void {
  const rng = mulberry32(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((w) => {
      const positive = /moving_variance|gamma/.test(w.originalName);
      const data = Float32Array.from({ length: w.shape.reduce((a, b) => a! * b!, 1)! }, () =>
        positive ? 0.3 + rng() * 2 : (rng() * 2 - 1) * (/moving_mean|beta/.test(w.originalName) ? 1.5 : 0.6),
      );
      return tf.tensor(data, w.shape as number[]);
    });
    if (values.length) layer.setWeights(values);
    tf.dispose(values);
  }
}

type Symbolic = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: Symbolic | Symbolic[]): Symbolic => layer.apply(x) as Symbolic;

/** Networks on odd-sized inputs, each exercising some of the folding rules. */
const NETWORKS: Record<string, () => tf.LayersModel> = {
  'MobileNet-like: conv, BN, ReLU6; depthwise ×2, BN without β, ReLU; BN as the output': () => {
    const input = tf.input({ shape: [17, 15, 3] });
    let x = apply(tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), input);
    x = apply(tf.layers.batchNormalization({ epsilon: 1e-3 }), x);
    x = apply(tf.layers.activation({ activation: 'relu6' }), x);
    x = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'valid', useBias: false }), x);
    x = apply(tf.layers.batchNormalization({ center: false }), x);
    x = apply(tf.layers.activation({ activation: 'relu' }), x);
    x = apply(tf.layers.conv2d({ filters: 6, kernelSize: 1, useBias: true }), x);
    x = apply(tf.layers.batchNormalization({ scale: false, epsilon: 1e-2 }), x);
    return tf.model({ inputs: input, outputs: x });
  },
  'a conv read twice, an unfused tanh, dilation, pooling and concatenation': () => {
    const input = tf.input({ shape: [13, 13, 4] });
    const c = apply(tf.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', useBias: false }), input);
    const a = apply(tf.layers.activation({ activation: 'relu6' }), apply(tf.layers.batchNormalization({}), c));
    const b = apply(tf.layers.activation({ activation: 'tanh' }), apply(tf.layers.conv2d({ filters: 5, kernelSize: 1 }), c));
    const d = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', useBias: false }), a);
    const e = apply(tf.layers.batchNormalization({}), d);
    const joined = apply(tf.layers.concatenate({}), [e, b, c]);
    return tf.model({ inputs: input, outputs: apply(tf.layers.averagePooling2d({ poolSize: 2, strides: 2 }), joined) });
  },
  'a batch norm after no convolution, an added branch, a depthwise conv with its own bias and ReLU6': () => {
    const input = tf.input({ shape: [9, 11, 3] });
    const n = apply(tf.layers.batchNormalization({}), input);
    const d = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', useBias: true }), n);
    const r = apply(tf.layers.activation({ activation: 'relu6' }), d);
    const p = apply(tf.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', useBias: false }), input);
    return tf.model({ inputs: input, outputs: apply(tf.layers.add({}), [r, apply(tf.layers.batchNormalization({}), p)]) });
  },
  'unfoldable convolutions: a dilated depthwise one (tfjs-layers runs it undilated), one with its own ReLU; a batch norm read twice':
    () => {
      const input = tf.input({ shape: [11, 11, 4] });
      const d = apply(tf.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'same', useBias: false }), input);
      const n = apply(tf.layers.batchNormalization({}), d);
      const own = apply(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), n);
      const twice = apply(tf.layers.batchNormalization({}), apply(tf.layers.conv2d({ filters: 4, kernelSize: 1, useBias: false }), own));
      const a = apply(tf.layers.activation({ activation: 'relu6' }), twice);
      return tf.model({ inputs: input, outputs: apply(tf.layers.concatenate({}), [a, twice]) });
    },
};

const maxAbs = (t: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]!);
const relativeGap = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => maxAbs(tf.sub(a, b)) / Math.max(maxAbs(b), 1e-6));

describe('the folded network', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: equals Keras's predict on networks that hit each folding rule`, async () => {
      await use(backend);
      for (const [i, [name, build]] of Object.entries(NETWORKS).entries()) {
        const model = build();
        randomize(model, 7 + i);
        const [, h, w, c] = model.inputs[0]!.shape as number[];
        const x = tf.randomUniform([2, h!, w!, c!], -2, 2, 'float32', 3 + i) as tf.Tensor4D;
        const expected = model.predict(x) as tf.Tensor;
        const before = tf.memory().numTensors;
        const got = foldedNetwork(model, x);
        expect(got.shape, name).toEqual(expected.shape);
        expect(relativeGap(got, expected), name).toBeLessThan(1e-5);
        got.dispose();
        const again = foldedNetwork(model, x); // the kept plan, no new kernels
        expect(relativeGap(again, expected), `${name}, second call`).toBeLessThan(1e-5);
        again.dispose();
        releaseFoldedNetwork(model);
        expect(tf.memory().numTensors, `${name}: nothing kept after release`).toBe(before);
        tf.dispose([x, expected]);
        model.dispose();
      }
    });
  }

  it('keeps one folded kernel and bias per convolution followed by a batch norm, and nothing for the rest', async () => {
    await use('cpu');
    const model = NETWORKS['MobileNet-like: conv, BN, ReLU6; depthwise ×2, BN without β, ReLU; BN as the output']!();
    const x = tf.zeros([1, 17, 15, 3]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    foldedNetwork(model, x).dispose();
    expect(tf.memory().numTensors - before).toBe(2 * 3); // three convolutions, each followed by its batch norm
    releaseFoldedNetwork(model);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
  });

  it('a network it cannot place (a layer applied twice) runs as Keras runs it', async () => {
    await use('cpu');
    const input = tf.input({ shape: [5, 5, 2] });
    const shared = tf.layers.conv2d({ filters: 2, kernelSize: 1, padding: 'same' });
    const model = tf.model({ inputs: input, outputs: apply(shared, apply(shared, input)) });
    const x = tf.randomUniform([1, 5, 5, 2], -1, 1, 'float32', 1) as tf.Tensor4D;
    const expected = model.predict(x) as tf.Tensor;
    const before = tf.memory().numTensors;
    const got = foldedNetwork(model, x);
    expect(relativeGap(got, expected)).toBe(0);
    got.dispose();
    expect(tf.memory().numTensors).toBe(before);
    releaseFoldedNetwork(model);
    tf.dispose([x, expected]);
    model.dispose();
  });

  for (const backend of BACKENDS.filter((b) => b !== 'cpu')) {
    it(`${backend}: the shipped encoder and detector give their Keras outputs through the dispatch point, and free everything`, async () => {
      await use(backend);
      const rng = mulberry32(11);
      const photos = tf.tensor4d(
        Float32Array.from({ length: 2 * 224 * 224 * 3 }, () => rng() * 2 - 1),
        [2, 224, 224, 3],
      ); // [2, 224, 224, 3]
      for (const [dir, layer] of [
        ['encoder', 'conv_pw_12_relu'],
        ['detector', SSD_CLASS_HEAD],
      ] as const) {
        const before = tf.memory().numTensors;
        const network = await loadLayersNetwork(modelFilesAt(path.join(repoRoot, 'checkpoints', 'everyday', dir)), layer);
        setFastPaths(false);
        const plain = tf.tidy(() => network.run(photos));
        setFastPaths(true);
        const fast = tf.tidy(() => network.run(photos));
        expect(fast.shape).toEqual(plain.shape);
        expect(relativeGap(fast, plain), dir).toBeLessThan(1e-5);
        tf.dispose([plain, fast]);
        // Keras runs batch norms and ReLU6 (min(6, relu)) as kernels of their own; the plan runs neither,
        // and holds no more memory at its peak than predict does.
        const kernels = async (on: boolean) => {
          setFastPaths(on);
          const info = await tf.profile(() => {
            tf.tidy(() => network.run(photos)).dispose();
          });
          return { names: new Set(info.kernels.map((k) => k.name)), peak: info.peakBytes };
        };
        const [off, on] = [await kernels(false), await kernels(true)];
        setFastPaths(true);
        expect(off.names.has('Minimum'), `${dir}: Keras's ReLU6`).toBe(true);
        expect(on.names.has('Minimum') || on.names.has('FusedBatchNorm'), `${dir}: folded and fused`).toBe(false);
        if (dir === 'encoder') expect(off.names.has('FusedBatchNorm')).toBe(true);
        expect(on.peak, `${dir}: peak bytes`).toBeLessThanOrEqual(off.peak * 1.1);
        network.dispose();
        expect(tf.memory().numTensors, `${dir}: nothing left after dispose`).toBe(before);
      }
      photos.dispose();
    });
  }
});
