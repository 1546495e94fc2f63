/**
 * The convolution fence (src/backend/conv-fence.ts): in a process checked for the decoder alone, every
 * convolution kernel throws a message naming itself, the other kernels run as before, and the undo
 * gives the stock kernels back. Shown on the CPU backend (the fence works on any backend's registry).
 * Loading a Keras encoder (what `train` does to carry it into its checkpoint) runs no convolution.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenceConvolutions } from '../src/backend/conv-fence.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';
import { FileInputError } from '../src/util/user-error.js';
import * as tf from '../src/util/tf.js';

describe('fenceConvolutions', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => tf.disposeVariables());

  const x = (): tf.Tensor4D => tf.ones([1, 4, 4, 2]); // [B, H, W, C]
  const ops: [string, () => tf.Tensor][] = [
    ['Conv2D', () => tf.conv2d(x(), tf.ones<tf.Rank.R4>([1, 1, 2, 3]), 1, 'same')],
    ['DepthwiseConv2dNative', () => tf.depthwiseConv2d(x(), tf.ones<tf.Rank.R4>([3, 3, 2, 1]), 1, 'same')],
    [
      'FusedConv2D',
      () => tf.fused.conv2d({ x: x(), filter: tf.ones<tf.Rank.R4>([1, 1, 2, 3]), strides: 1, pad: 'same', activation: 'relu' }),
    ],
    [
      'FusedDepthwiseConv2D',
      () => tf.fused.depthwiseConv2d({ x: x(), filter: tf.ones<tf.Rank.R4>([3, 3, 2, 1]), strides: 1, pad: 'same', activation: 'relu6' }),
    ],
  ];

  it('fenced: each convolution throws its own name and the reason; undone: each runs again, same result', () => {
    const before = ops.map(([, op]) => tf.tidy(() => op().arraySync()));
    const undo = fenceConvolutions('cpu', 'the decoder alone runs here');
    try {
      for (const [name, op] of ops) expect(() => tf.tidy(op)).toThrow(`${name}: the decoder alone runs here`);
      // Everything else runs: a matmul, a softmax.
      const p = tf.tidy(() => tf.softmax(tf.matMul(tf.ones([2, 3]), tf.ones([3, 4]))).arraySync()); // [2, 4]
      expect(p).toEqual([Array(4).fill(0.25), Array(4).fill(0.25)]);
    } finally {
      undo();
    }
    expect(ops.map(([, op]) => tf.tidy(() => op().arraySync()))).toEqual(before);
  });

  it('fences only convolutions: every other kernel of the backend is the stock one', () => {
    const stock = new Map(tf.getKernelsForBackend('cpu').map((k) => [k.kernelName, k.kernelFunc]));
    const undo = fenceConvolutions('cpu', 'x');
    try {
      const changed = tf
        .getKernelsForBackend('cpu')
        .filter((k) => stock.get(k.kernelName) !== k.kernelFunc)
        .map((k) => k.kernelName);
      expect(changed.length).toBeGreaterThanOrEqual(ops.length);
      for (const name of changed) expect(name).toMatch(/Conv/);
      for (const [name] of ops) expect(changed).toContain(name);
    } finally {
      undo();
    }
  });

  // The shipped encoder declares its 224×224 input; the COCO-detection trunk (data/encoders, made by
  // convert-weights) leaves it open ([null, null, null, 3]), so its grid comes from shape inference.
  it.each([
    { variant: 'mobilenet_v1_1.0_pw12', source: 'checkpoints/everyday/encoder', grid: [7, 7, 1024] },
    { variant: 'mobilenet_v1_1.0_coco', source: 'data/encoders/mobilenet_v1_1.0_coco', grid: [14, 14, 512] },
  ] as const)(
    'loading $variant runs no convolution: same fingerprint behind the fence; encoding is what it stops',
    async ({ grid, ...config }) => {
      const open = await loadEncoder(config);
      const undo = fenceConvolutions('cpu', 'fenced');
      try {
        const fenced = await loadEncoder(config);
        expect(fenced.fingerprint).toEqual(open.fingerprint);
        expect(fenced.fingerprint.outputShape).toEqual(grid);
        const photo = tf.zeros<tf.Rank.R4>([1, 224, 224, 3]);
        expect(() => fenced.encode(photo)).toThrow(/Conv2D: fenced/);
        photo.dispose();
        fenced.dispose();
      } finally {
        undo();
        open.dispose();
      }
    },
  );

  it('a Keras encoder declared for another input size is refused at load by its grid, behind the fence too', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'encoder-192-'));
    const undo = fenceConvolutions('cpu', 'fenced');
    try {
      const json = JSON.parse(await fs.readFile('checkpoints/everyday/encoder/model.json', 'utf8')) as {
        modelTopology: { model_config: { config: { layers: { config: { batch_input_shape?: (number | null)[] } }[] } } };
      };
      json.modelTopology.model_config.config.layers[0]!.config.batch_input_shape = [null, 192, 192, 3];
      await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
      await fs.copyFile('checkpoints/everyday/encoder/weights.bin', path.join(dir, 'weights.bin'));
      const err = await loadEncoder({ variant: 'mobilenet_v1_1.0_pw12', source: dir }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FileInputError);
      expect((err as Error).message).toMatch(/gives 6×6×1024 at conv_pw_12_relu, but encoder mobilenet_v1_1\.0_pw12 expects 7×7×1024/);
    } finally {
      undo();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
