/** The WASM fast paths (src/backend/fast-paths/) give the same values and gradients as the stock tfjs ops. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { wasmScorerOps } from '../src/backend/fast-paths/wasm.js';
import { matVec } from '../src/backend/fast-paths/sigmoid-scorer.js';
import { StepWeight } from '../src/backend/fast-paths/step-weight.js';
import { logSoftmax, matMul, softmaxCrossEntropy, tanh } from '../src/backend/ops.js';


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
      const viaStep = f((a, b) => new StepWeight(b, matMul).apply(a))([x, w]);
      expectClose(viaStep[0]!, stock[0]!);
      expectClose(viaStep[1]!, stock[1]!);
    });
  });

  it('StepWeight: a weight shared by several steps gets the right gradients (batched), and its tensors are freed', () => {
    const x = tf.randomNormal([4, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.variable(tf.randomNormal([6, 6], 0, 0.5, 'float32', 2)) as tf.Variable<tf.Rank.R2>;
    const unrolled = (mm: (h: tf.Tensor2D, t: number) => tf.Tensor2D) => () => {
      let h = x;
      for (let t = 0; t < 3; t++) h = tf.sigmoid(mm(h, t)) as tf.Tensor2D;
      return tf.sum(h) as tf.Scalar;
    };
    const before = tf.memory().numTensors;
    const ours = tf.variableGrads(() => {
      const sw = new StepWeight(w, matMul);
      return unrolled((h) => sw.apply(h))();
    }, [w]);
    const stock = tf.variableGrads(unrolled((h) => tf.matMul(h, w)), [w]);
    expectClose(ours.value, stock.value);
    expectClose(ours.grads[w.name]!, stock.grads[w.name]!);
    tf.dispose([ours.value, stock.value, ...Object.values(ours.grads), ...Object.values(stock.grads)]);
    expect(tf.memory().numTensors).toBe(before);

    // A transpose whose backward never ran (x's path only) is freed by the next gradient computation.
    const v = tf.variable(tf.ones([4, 6])) as tf.Variable<tf.Rank.R2>;
    const g1 = tf.variableGrads(() => {
      new StepWeight(w, matMul); // made, never applied: its kept transpose is never used by a backward pass
      return tf.sum(tf.mul(v, 2)) as tf.Scalar;
    }, [v]);
    tf.dispose([g1.value, ...Object.values(g1.grads)]);
    const g2 = tf.variableGrads(() => tf.sum(tf.mul(v, 3)) as tf.Scalar, [v]);
    tf.dispose([g2.value, ...Object.values(g2.grads)]);
    const after = tf.memory().numTensors;
    const g3 = tf.variableGrads(() => {
      const sw = new StepWeight(w, matMul);
      return tf.sum(sw.apply(x)) as tf.Scalar;
    }, [w]);
    tf.dispose([g3.value, ...Object.values(g3.grads)]);
    expect(tf.memory().numTensors).toBe(after - 1);
    tf.dispose([x, w, v]);
  });

  it('matVec: value and both gradients equal tf.matMul', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([9, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
      const v = tf.randomNormal([4, 1], 0, 1, 'float32', 2) as tf.Tensor2D;
      const dy = tf.randomNormal([9, 1], 0, 1, 'float32', 3);
      const f = (g: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor) => gradsOf(g, dy);
      expectClose(matVec(x, v, wasmScorerOps), tf.matMul(x, v));
      const ours = f((a, b) => matVec(a, b, wasmScorerOps))([x, v]);
      const stock = f((a, b) => tf.matMul(a, b))([x, v]);
      expectClose(ours[0]!, stock[0]!);
      expectClose(ours[1]!, stock[1]!);
    });
  });

  it('tanh: value and gradient equal tf.tanh (incl. saturation)', () => {
    tf.tidy(() => {
      const x = tf.tensor1d([-30, -5, -1, -0.1, 0, 0.1, 1, 5, 30]);
      expectClose(tanh(x), tf.tanh(x), 1e-6);
      expectClose(tf.grad((v: tf.Tensor) => tanh(v).sum())(x), tf.grad((v: tf.Tensor) => tf.tanh(v).sum())(x), 1e-5);
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
      expectClose(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(ours(x), w)))(logits), tf.grad((x: tf.Tensor) => tf.sum(tf.mul(stock(x), w)))(logits), 1e-6);
    });
  });
});
