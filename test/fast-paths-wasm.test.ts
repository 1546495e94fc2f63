/** The WASM fast paths (src/fast-paths/) give the same values and gradients as the stock tfjs ops. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { wasmSigmoidScoresOps } from '../src/fast-paths/wasm.js';
import { matVec } from '../src/fast-paths/sigmoid-scores.js';
import { stepMatMulOn } from '../src/fast-paths/step-matmul.js';
import { logSoftmax, matMul, softmaxCrossEntropy } from '../src/fast-paths/ops.js';
import { simdRowDots, simdWeightedSum, wasmSimdAvailable } from '../src/fast-paths/wasm-simd-kernels.js';
import { expectAdamAsTfjs } from './adam-against-tfjs.js';

beforeAll(async () => {
  await selectBackend();
});

function expectClose(a: tf.Tensor, b: tf.Tensor, tol = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i]! - y[i]!)).toBeLessThan(tol * Math.max(1, Math.abs(y[i]!)));
}

/** d(Σ g(a, b) ⊙ dy)/d(a, b): both input gradients of a two-operand op, weighted by dy. */
const gradsOf = (g: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor, dy: tf.Tensor) =>
  tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.mul(g(a as tf.Tensor2D, b as tf.Tensor2D), dy).sum());

describe('fast ops', () => {
  it('runs on WASM (where the hand-written gradients are used)', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it('matMul: value and both gradients equal tf.matMul', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.randomNormal([7, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
      const dy = tf.randomNormal([5, 3], 0, 1, 'float32', 3);
      const f = (g: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => gradsOf(g, dy);
      const ours = f((a, b) => matMul(a, b))([x, w]);
      const stock = f((a, b) => tf.matMul(a, b))([x, w]);
      expectClose(matMul(x, w), tf.matMul(x, w));
      expectClose(ours[0]!, stock[0]!);
      expectClose(ours[1]!, stock[1]!);
      // Only the gradient asked for is computed (and still equals the stock one).
      expectClose(tf.grad((b: tf.Tensor) => tf.mul(matMul(x, b as tf.Tensor2D), dy).sum())(w), stock[1]!);
      // With the transpose made once up front (the per-step recurrent weights).
      const viaStep = f((a, b) => stepMatMulOn(matMul)(a, b))([x, w]);
      expectClose(viaStep[0]!, stock[0]!);
      expectClose(viaStep[1]!, stock[1]!);
    });
  });

  it('stepMatMul: a weight shared by several steps gets the right gradients (batched), and its tensors are freed', () => {
    const stepMatMul = stepMatMulOn(matMul);
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.variable(tf.randomNormal([6, 6], 0, 0.5, 'float32', 2)) as tf.Variable<tf.Rank.R2>;
    const unrolled = (mm: (h: tf.Tensor2D, t: number) => tf.Tensor2D) => () => {
      let h = x;
      for (let t = 0; t < 3; t++) h = tf.sigmoid(mm(h, t)) as tf.Tensor2D;
      return tf.sum(h) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const ours = tf.variableGrads(
      unrolled((h) => stepMatMul(h, w)),
      [w],
    );
    const stock = tf.variableGrads(
      unrolled((h) => tf.matMul(h, w)),
      [w],
    );
    expectClose(ours.value, stock.value);
    expectClose(ours.grads[w.name]!, stock.grads[w.name]!);
    tf.dispose([ours.value, stock.value, ...Object.values(ours.grads), ...Object.values(stock.grads)]);
    expect(tf.memory().numTensors).toBe(before);

    // A transpose whose backward never ran (x's path only) is freed by the next gradient computation.
    const v = tf.variable(tf.ones([4, 6])) as tf.Variable<tf.Rank.R2>;
    const g1 = tf.variableGrads(() => {
      stepMatMul(x, w); // applied off the loss's path: its kept transpose is never used by a backward pass
      return tf.sum(tf.mul(v, 2)) as tf.Scalar;
    }, [v]);
    tf.dispose([g1.value, ...Object.values(g1.grads)]);
    const g2 = tf.variableGrads(() => tf.sum(tf.mul(v, 3)) as tf.Scalar, [v]);
    tf.dispose([g2.value, ...Object.values(g2.grads)]);
    const after = tf.memory().numTensors;
    const g3 = tf.variableGrads(() => tf.sum(stepMatMul(x, w)) as tf.Scalar, [w]);
    tf.dispose([g3.value, ...Object.values(g3.grads)]);
    expect(tf.memory().numTensors).toBe(after - 1);
    tf.dispose([x, w, v]);
  });

  it('SIMD kernels: weightedSum and rowDots equal batched matmuls at many shapes, bit-stable, no leak', () => {
    expect(wasmSimdAvailable()).toBe(true); // Node's V8 has WebAssembly SIMD
    const before = tf.memory().numTensors;
    /** max |a − b| / max(1, |b|), elementwise (the shapes here are too large for one expect each). */
    const relDiff = (a: tf.Tensor, b: tf.Tensor): number => {
      expect(a.shape).toEqual(b.shape);
      return tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.maximum(tf.abs(b), 1))).dataSync()[0]!;
    };
    // (G, K, R, C): single rows, beams, the training step's [32, 1, 196] × [32, 196, 512], a long column.
    for (const [G, K, R, C] of [
      [1, 1, 1, 4],
      [2, 1, 3, 8],
      [3, 2, 5, 12],
      [2, 3, 9, 24],
      [32, 1, 196, 512],
      [1, 1, 6272, 256],
    ] as const) {
      tf.tidy(() => {
        const v = tf.randomNormal([G, K, R], 0, 1, 'float32', R) as tf.Tensor3D;
        const x = tf.randomNormal([G, R, C], 0, 1, 'float32', C) as tf.Tensor3D;
        const d = tf.randomNormal([G, K, C], 0, 1, 'float32', G) as tf.Tensor3D;
        const sum = simdWeightedSum(v, x);
        expect(relDiff(sum, tf.matMul(v, x))).toBeLessThan(1e-5 * Math.sqrt(R));
        const dots = simdRowDots(d, x);
        expect(relDiff(dots, tf.matMul(d, x, false, true))).toBeLessThan(1e-5 * Math.sqrt(C));
        // Same inputs, same bits.
        expect(Array.from(simdWeightedSum(v, x).dataSync())).toEqual(Array.from(sum.dataSync()));
        expect(Array.from(simdRowDots(d, x).dataSync())).toEqual(Array.from(dots.dataSync()));
        // The weighted sum's gradients: v's by rowDots, x's by vᵀ dy.
        const f = (op: (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor) =>
          tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(op(a as tf.Tensor3D, b as tf.Tensor3D), d)));
        const ours = f(simdWeightedSum)([v, x]);
        const stock = f((a, b) => tf.matMul(a, b))([v, x]);
        expect(relDiff(ours[0]!, stock[0]!)).toBeLessThan(1e-5 * Math.sqrt(C));
        expect(relDiff(ours[1]!, stock[1]!)).toBeLessThan(1e-5 * Math.sqrt(K));
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Sum (SIMD over adjacent axes, stock otherwise) equals a float64 sum in JS, for every axis set, keepDims, int32', () => {
    /** Σ over `axes` of x, in JS (float64), as [shape kept, values]. */
    const jsSum = (values: ArrayLike<number>, shape: number[], axes: number[], keepDims: boolean): [number[], number[]] => {
      const outShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
      const out = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
      const idx = new Array<number>(shape.length).fill(0);
      for (let flat = 0; flat < values.length; flat++) {
        let o = 0;
        for (let i = 0; i < shape.length; i++) o = o * outShape[i]! + (axes.includes(i) ? 0 : idx[i]!);
        out[o]! += values[flat]!;
        for (let i = shape.length - 1; i >= 0 && ++idx[i]! === shape[i]; i--) idx[i] = 0;
      }
      return [keepDims ? outShape : shape.filter((_, i) => !axes.includes(i)), out];
    };
    const subsets = (n: number): number[][] =>
      Array.from({ length: 2 ** n - 1 }, (_, m) => [...Array(n).keys()].filter((i) => ((m + 1) >> i) & 1));
    const before = tf.memory().numTensors;
    for (const shape of [[8], [5, 8], [8, 5], [3, 4, 8], [2, 3, 4, 4], [6, 7, 3], [512, 500], [32, 196, 256]]) {
      for (const axes of subsets(shape.length)) {
        for (const keepDims of [false, true]) {
          for (const dtype of ['float32', 'int32'] as const) {
            if (dtype === 'int32' && shape.length > 3) continue;
            tf.tidy(() => {
              const x = dtype === 'int32' ? tf.randomUniform(shape, -50, 50, 'int32', 7) : tf.randomNormal(shape, 0, 1, 'float32', 7);
              // A negative single axis, and no axis for all of them, too.
              const ax =
                axes.length === shape.length && !keepDims ? undefined : axes.length === 1 && !keepDims ? axes[0]! - shape.length : axes;
              const y = tf.sum(x, ax, keepDims);
              const [refShape, ref] = jsSum(x.dataSync(), shape, axes, keepDims);
              expect(y.shape, `${shape} ${axes} ${keepDims}`).toEqual(refShape);
              expect(y.dtype).toBe(dtype);
              const got = y.dataSync();
              const n = axes.reduce((p, a) => p * shape[a]!, 1);
              const worst = ref.reduce((m, r, i) => Math.max(m, Math.abs(got[i]! - r)), 0);
              expect(worst, `${shape} over ${axes}`).toBeLessThan(dtype === 'int32' ? 0.5 : 1e-5 * Math.sqrt(n) * 4);
            });
          }
        }
      }
    }
    // Unsorted and negative axis lists; axes out of range are refused as the stock kernel refuses them.
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4, 8], 0, 1, 'float32', 9);
      for (const axes of [
        [2, 1],
        [-1, -2],
        [1, -1],
      ]) {
        const normal = axes.map((a) => (a < 0 ? a + 3 : a));
        const [, ref] = jsSum(x.dataSync(), [3, 4, 8], normal, false);
        const got = tf.sum(x, axes).dataSync();
        expect(
          ref.reduce((m, r, i) => Math.max(m, Math.abs(got[i]! - r)), 0),
          `${axes}`,
        ).toBeLessThan(1e-4);
      }
      for (const bad of [3, -4, [0, 3]]) expect(() => tf.sum(x, bad), `${bad}`).toThrow();
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  it("Adam (SIMD for sizes % 4 = 0, ops otherwise) gives tfjs's Adam's weights and state, step for step, no leak", async () => {
    const shapes = [[5, 3], [8], [64, 36], [1]];
    const start = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', i + 1));
    const grads = [0, 1, 2, 3].map((t) => shapes.map((s, i) => tf.randomNormal(s, 0, 0.5, 'float32', 10 * t + i)));
    await expectAdamAsTfjs(start, grads);
    tf.dispose([...start, ...grads.flat()]);
  });

  it('matVec: value and both gradients equal tf.matMul', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([9, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
      const v = tf.randomNormal([4, 1], 0, 1, 'float32', 2) as tf.Tensor2D;
      const dy = tf.randomNormal([9, 1], 0, 1, 'float32', 3);
      const f = (g: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => gradsOf(g, dy);
      expectClose(matVec(x, v, wasmSigmoidScoresOps), tf.matMul(x, v));
      const ours = f((a, b) => matVec(a, b, wasmSigmoidScoresOps))([x, v]);
      const stock = f((a, b) => tf.matMul(a, b))([x, v]);
      expectClose(ours[0]!, stock[0]!);
      expectClose(ours[1]!, stock[1]!);
    });
  });

  it('softmaxCrossEntropy: value and gradient equal −log softmax[target], no underflow', () => {
    tf.tidy(() => {
      const logits = tf.tensor2d([
        [1, 2, 3, 4],
        [0, 0, 0, 0],
        [100, -100, 0, 50], // target −100: p underflows, the loss must not
      ]);
      const targets = tf.tensor1d([2, 0, 1], 'int32');
      const stock = (x: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), tf.cast(tf.oneHot(targets, 4), 'float32')), 1));
      const ours = (x: tf.Tensor) => softmaxCrossEntropy(x as tf.Tensor2D, targets);
      expectClose(ours(logits), stock(logits), 1e-6);
      expectClose(logSoftmax(logits), tf.logSoftmax(logits), 1e-6);
      expect(ours(logits).dataSync()[2]).toBeCloseTo(200, 3);
      const w = tf.tensor1d([0.5, 1, 2]);
      expectClose(
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ours(x), w)))(logits),
        tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stock(x), w)))(logits),
        1e-6,
      );
    });
  });
});
