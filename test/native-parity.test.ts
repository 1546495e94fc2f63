/**
 * The native path must never rot: the same tiny training steps on tfjs-node and on WASM give the same
 * losses and weights (to 1e-4). Skipped when tfjs-node is not built (`npm run setup:native`), unless
 * CAPTION_REQUIRE_NATIVE=1 (CI), where its absence is a failure.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { defaultInitializers } from '../src/backend/select.js';
import { createDecoder } from '../src/decoder/decoder.js';
import { matMul } from '../src/fast-paths/ops.js';
import { clipByGlobalNorm } from '../src/train/clip-gradients.js';
import { createAdam } from '../src/train/adam.js';
import { mulberry32 } from '../src/util/random.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';

const why = await nativeUnavailable();
const required = NATIVE_REQUIRED;
const suite = why === undefined || required ? describe : describe.skip;

const B = 3,
  L = 6,
  D = 5,
  T = 4,
  V = 9;

function inputs() {
  const rng = mulberry32(7);
  const features = Float32Array.from({ length: B * L * D }, () => rng() * 2);
  const tokens = Int32Array.from([1, 4, 5, 6, 2, 1, 7, 8, 2, 0, 1, 4, 2, 0, 0]); // [B, T + 1]
  const mask = Float32Array.from(tokens, (t, i) => (t !== 0 || i % (T + 1) === 0 ? 1 : 0));
  return { features, tokens, mask };
}

/** Three Adam steps of a tiny decoder on the current backend: losses and final weights. */
async function trainTiny(): Promise<{ losses: number[]; weights: Map<string, Float32Array> }> {
  const decoder = createDecoder({ vocabSize: V, featureDim: D, embedDim: 4, hiddenDim: 7, attentionDim: 3, seed: 3, dropout: 0 });
  const optimizer = createAdam(0.01, decoder.getWeights());
  const x = inputs();
  const features = tf.tensor3d(x.features, [B, L, D]);
  const tokens = tf.tensor2d(x.tokens, [B, T + 1], 'int32');
  const mask = tf.tensor2d(x.mask, [B, T + 1]);
  const losses: number[] = [];
  for (let s = 0; s < 3; s++) {
    const { value, grads } = tf.variableGrads(() => decoder.computeLoss(features, tokens, mask).loss, decoder.trainableVariables());
    losses.push(value.dataSync()[0]!);
    const clipped = clipByGlobalNorm(grads, 5);
    optimizer.applyGradients(clipped.grads);
    tf.dispose([value, clipped.norm, ...Object.values(grads), ...Object.values(clipped.grads)]);
  }
  const weights = new Map([...decoder.getWeights()].map(([k, v]) => [k, v.dataSync() as Float32Array]));
  tf.dispose([features, tokens, mask]);
  optimizer.dispose();
  decoder.dispose();
  return { losses, weights };
}

suite(`native (tfjs-node) vs WASM parity${why && !required ? ` [skipped: tfjs-node ${why}; run npm run setup:native]` : ''}`, () => {
  it('tfjs-node loads (run `npm run setup:native`)', () => {
    expect(why, `tfjs-node did not load: ${why}`).toBeUndefined();
  });

  it('three training steps give the same losses and weights to 1e-4', async () => {
    await tf.setBackend('tensorflow');
    const native = await trainTiny();
    await defaultInitializers.wasm();
    const wasm = await trainTiny();
    expect(tf.getBackend()).toBe('wasm');
    native.losses.forEach((l, i) => expect(Math.abs(l - wasm.losses[i]!)).toBeLessThan(1e-4));
    expect(native.losses[2]).toBeLessThan(native.losses[0]!);
    for (const [name, w] of native.weights) {
      const other = wasm.weights.get(name)!;
      let maxDiff = 0;
      w.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - other[i]!))));
      expect(maxDiff, name).toBeLessThan(1e-4);
    }
  });

  it("the native 2-D MatMul with transpose flags matches tfjs's, gradients included", async () => {
    await tf.setBackend('tensorflow');
    const rng = mulberry32(11);
    const rand = (r: number, c: number) =>
      tf.tensor2d(
        Float32Array.from({ length: r * c }, () => rng() * 2 - 1),
        [r, c],
      );
    const close = (a: tf.Tensor, b: tf.Tensor) => {
      const x = a.dataSync(),
        y = b.dataSync();
      expect(a.shape).toEqual(b.shape);
      x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-5));
    };
    for (const [ta, tb] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      const a = ta ? rand(4, 3) : rand(3, 4); // op(a): [3, 4]
      const b = tb ? rand(5, 4) : rand(4, 5); // op(b): [4, 5]
      const dy = rand(3, 5);
      type MatMul = (x: tf.Tensor2D, y: tf.Tensor2D, p: boolean, q: boolean) => tf.Tensor2D;
      const loss = (f: MatMul) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x as tf.Tensor2D, y as tf.Tensor2D, ta, tb), dy));
      const ours = tf.grads(loss(matMul))([a, b]);
      const stock = tf.grads(loss(tf.matMul))([a, b]);
      close(matMul(a, b, ta, tb), tf.matMul(a, b, ta, tb));
      close(ours[0]!, stock[0]!);
      close(ours[1]!, stock[1]!);
    }
  });
});
