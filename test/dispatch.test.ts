/**
 * The dispatch point (src/fast-paths/dispatch.ts): on every backend here, each fast path gives its plain
 * reference's values and gradients (with and without a gradient tape); the table follows the backend
 * and the fused-kernel switches; and the model's files hold no backend checks — they reach fast paths
 * only through `dispatched`. (The compound ops' references are written with the primitive dispatched
 * ops — σ, tanh, matMul — so on a backend with those fast paths they are checked on top of them; the
 * CPU backend runs every reference as plain tfjs.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { fastPath, fastPathsFor, referenceOf, releaseNetworkState, type FastPathName, type FastPaths } from '../src/fast-paths/dispatch.js';
import { setFusedKernels, fusedKernelsStatus } from '../src/fast-paths/fused-state.js';
import { defaultInitializers } from '../src/backend/select.js';
import '../src/fast-paths/ops.js';
import '../src/decoder/attention.js';
import '../src/decoder/lstm.js';
import '../src/search/read-step.js';
import '../src/encoder/layers-network.js';
import { mulberry32 } from '../src/util/random.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeWhy = await nativeUnavailable();

const rng = mulberry32(21);
const rand = (shape: number[], scale = 1): tf.Tensor =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() * 2 - 1) * scale),
    shape,
  );

/**
 * Per op: inputs, and a scalar loss of the op's outputs (weighted by fixed random tensors, so every
 * output element's gradient differs). The gradient is taken with respect to every float input.
 */
interface Case {
  inputs: () => tf.Tensor[];
  loss: (op: never, inputs: tf.Tensor[]) => tf.Scalar;
  /** Inputs that are not differentiable (int32 ids). */
  constant?: number[];
}

const weighted = (y: tf.Tensor, seed: number): tf.Scalar => tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', seed)));

/**
 * k rows per image in attention (beam search: 3); widths A and D of 37 and 21 and of 36 and 24, since
 * WASM's SIMD kernels take multiples of 4 and fall back to stock ops otherwise.
 */
const attentionCases = (k: number, A: number): Case[] => [
  {
    inputs: () => [rand([2, 7, A], 3), rand([2 * k, A], 3), rand([A])],
    loss: (scores: FastPaths['additiveScores'], [keys, query, w]) =>
      weighted(scores(keys as tf.Tensor3D, query as tf.Tensor2D, w as tf.Tensor1D), 1),
  },
  {
    // three steps over the same keys (the keys' gradient summed over the steps)
    inputs: () => [rand([2, 7, A], 3), rand([2 * k, A], 3), rand([A])],
    loss: (scores: FastPaths['additiveScores'], [keys, query, w]) => {
      let q = query as tf.Tensor2D;
      let total = tf.scalar(0);
      for (let t = 0; t < 3; t++) {
        const e = scores(keys as tf.Tensor3D, q, w as tf.Tensor1D); // [2k, 7]
        total = tf.add(total, weighted(e, 11 + t));
        q = tf.tanh(tf.add(q, tf.mean(e))) as tf.Tensor2D;
      }
      return total as tf.Scalar;
    },
  },
];

const CASES: Record<Exclude<FastPathName, 'adamUpdate' | 'topK' | 'network'>, Case[]> = {
  matMul: ([false, true] as const).flatMap((ta) =>
    ([false, true] as const).map((tb) => ({
      inputs: () => [ta ? rand([4, 3]) : rand([3, 4]), tb ? rand([5, 4]) : rand([4, 5])],
      loss: (mm: FastPaths['matMul'], [a, b]: tf.Tensor[]) => weighted(mm(a as tf.Tensor2D, b as tf.Tensor2D, ta, tb), 2),
    })),
  ),
  logSoftmax: [
    {
      inputs: () => [
        tf.tensor2d([
          [1, 2, 3, 4],
          [0, 0, 0, 0],
          [100, -100, 0, 50],
        ]),
      ],
      loss: (f: FastPaths['logSoftmax'], [x]) => weighted(f(x as tf.Tensor2D), 5),
    },
  ],
  softmaxCrossEntropy: [
    {
      inputs: () => [
        tf.tensor2d([
          [1, 2, 3, 4],
          [0, 0, 0, 0],
          [100, -100, 0, 50],
        ]),
        tf.tensor1d([2, 0, 1], 'int32'),
      ],
      loss: (f: FastPaths['softmaxCrossEntropy'], [x, t]) => weighted(f(x as tf.Tensor2D, t as tf.Tensor1D), 6),
      constant: [1],
    },
  ],
  stepMatMul: [
    {
      // three steps of a recurrence through one shared weight
      inputs: () => [rand([4, 6]), rand([6, 6], 0.5)],
      loss: (mm: FastPaths['stepMatMul'], [x, w]) => {
        let h = x as tf.Tensor2D;
        for (let t = 0; t < 3; t++) h = tf.sigmoid(mm(h, w as tf.Tensor2D)) as tf.Tensor2D;
        return weighted(h, 7);
      },
    },
  ],
  additiveScores: [37, 36].flatMap((A) => [...attentionCases(1, A), ...attentionCases(3, A)]),
  attendedSum: [21, 24].flatMap((D) =>
    [1, 3].map((k) => ({
      inputs: () => [tf.softmax(rand([2 * k, 9], 2)), rand([2, 9, D], 2)],
      loss: (f: FastPaths['attendedSum'], [alpha, features]: tf.Tensor[]) => weighted(f(alpha as tf.Tensor2D, features as tf.Tensor3D), 8),
    })),
  ),
  lstmCell: [
    {
      inputs: () => [rand([3, 20], 4), rand([3, 5], 2)],
      loss: (f: FastPaths['lstmCell'], [pre, c]) => {
        const out = f(pre as tf.Tensor2D, c as tf.Tensor2D);
        return tf.add(weighted(out.h, 9), weighted(out.c, 10)) as tf.Scalar;
      },
    },
  ],
};

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync(),
    y = b.dataSync();
  let m = 0;
  x.forEach((v, i) => (m = Math.max(m, Math.abs(v - y[i]!) / Math.max(1, Math.abs(y[i]!)))));
  return m;
}

/**
 * top-k (no gradient) must give exactly the reference's values and ids: rows with many equal values
 * (ties go to the lower id), −∞ from the bias and in x, k from 1 to V.
 */
function checkTopK(impl: FastPaths['topK'], reference: FastPaths['topK']): void {
  const V = 23;
  tf.tidy(() => {
    const r = mulberry32(5);
    const rows = Array.from({ length: 37 }, (_, n) =>
      Array.from({ length: V }, (_, v) => (n % 3 === 0 ? Math.floor(r() * 4) : v === n % V ? -Infinity : r() * 20 - 10)),
    );
    rows.push(Array.from({ length: V }, () => -Infinity)); // a row with nothing left
    const x = tf.tensor2d(rows); // [38, V]
    const bias = tf.tensor1d(Array.from({ length: V }, (_, v) => (v < 3 ? -Infinity : v === 7 ? 0.5 : 0))); // [V]
    for (const k of [1, 2, 6, V]) {
      const a = impl(x, bias, k),
        b = reference(x, bias, k);
      expect(a.indices.dtype, `topK k=${k}: ids are int32`).toBe('int32');
      expect(Array.from(a.values.dataSync()), `topK k=${k}: values`).toEqual(Array.from(b.values.dataSync()));
      expect(Array.from(a.indices.dataSync()), `topK k=${k}: ids`).toEqual(Array.from(b.indices.dataSync()));
    }
  });
}

/** A network op against its reference (Keras's predict) on a small conv → batch norm → ReLU6 network; inference only. */
function checkNetwork(impl: FastPaths['network'], reference: FastPaths['network']): void {
  const input = tf.input({ shape: [9, 9, 3] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false });
  const norm = tf.layers.batchNormalization({});
  const relu6 = tf.layers.activation({ activation: 'relu6' });
  const model = tf.model({ inputs: input, outputs: relu6.apply(norm.apply(conv.apply(input))) as tf.SymbolicTensor });
  tf.tidy(() => norm.setWeights([rand([4], 1).abs().add(0.5), rand([4]), rand([4]), rand([4]).abs().add(0.5)]));
  tf.tidy(() => {
    const x = rand([2, 9, 9, 3], 2) as tf.Tensor4D;
    expect(maxDiff(impl(model, x), reference(model, x)), 'network').toBeLessThan(1e-5);
  });
  releaseNetworkState(model);
  model.dispose();
}

/** Each fast path of the active backend against its reference: loss value and every input gradient. */
function checkActiveBackend(): string[] {
  const checked: string[] = [];
  const paths = fastPathsFor(tf.getBackend());
  for (const [name, impl] of Object.entries(paths) as [FastPathName, unknown][]) {
    if (name === 'adamUpdate') continue; // no plain reference: test/fused-kernels.test.ts checks it against tfjs's Adam
    if (name === 'topK') {
      checkTopK(impl as FastPaths['topK'], referenceOf('topK')!);
      checked.push(name);
      continue;
    }
    if (name === 'network') {
      checkNetwork(impl as FastPaths['network'], referenceOf('network')!);
      checked.push(name);
      continue;
    }
    const reference = referenceOf(name);
    expect(reference, `${name} has a reference`).toBeDefined();
    const cases = CASES[name];
    expect(cases, `${name} has test cases here`).toBeDefined();
    for (const [i, c] of cases.entries()) {
      tf.tidy(() => {
        const inputs = c.inputs();
        const vary = inputs.map((_, j) => j).filter((j) => !c.constant?.includes(j));
        const gradsOf = (op: unknown) =>
          tf.valueAndGrads((...xs: tf.Tensor[]) => {
            const all = [...inputs];
            vary.forEach((j, n) => (all[j] = xs[n]!));
            return c.loss(op as never, all);
          })(vary.map((j) => inputs[j]!));
        const ours = gradsOf(impl);
        const ref = gradsOf(reference);
        const tol = name === 'additiveScores' || name === 'attendedSum' ? 2e-5 : 1e-5;
        expect(maxDiff(ours.value, ref.value), `${name} case ${i}: value`).toBeLessThan(tol);
        // Without a gradient tape (decoding), where some fast paths take another branch.
        expect(tf.engine().isTapeOn()).toBe(false);
        expect(
          maxDiff(c.loss(impl as never, inputs), c.loss(reference as never, inputs)),
          `${name} case ${i}: value without a tape`,
        ).toBeLessThan(tol);
        ours.grads.forEach((g, j) =>
          expect(maxDiff(g, ref.grads[j]!), `${name} case ${i}: gradient of input ${vary[j]}`).toBeLessThan(tol),
        );
      });
      checked.push(name);
    }
  }
  return checked;
}

afterAll(() => {
  setFusedKernels(true);
});

describe('the dispatch point', () => {
  it('on WASM: every fast path equals its reference (values and gradients), and the table is the WASM one', async () => {
    await defaultInitializers.wasm();
    const checked = new Set(checkActiveBackend());
    expect([...checked].sort()).toEqual([
      'additiveScores',
      'attendedSum',
      'logSoftmax',
      'matMul',
      'network',
      'softmaxCrossEntropy',
      'stepMatMul',
    ]);
    expect(fastPath('lstmCell')).toBeUndefined(); // the plain cell runs
  });

  it('on the pure-JS CPU backend: only the common fast paths, each equal to its reference', async () => {
    await tf.setBackend('cpu');
    const checked = new Set(checkActiveBackend());
    expect([...checked].sort()).toEqual(['logSoftmax', 'softmaxCrossEntropy', 'stepMatMul']);
    expect(fastPath('matMul')).toBeUndefined();
  });

  const native = nativeWhy === undefined || NATIVE_REQUIRED ? it : it.skip;
  native(
    `on native, with and without the fused kernels, every fast path equals its reference${nativeWhy && !NATIVE_REQUIRED ? ` [skipped: tfjs-node ${nativeWhy}]` : ''}`,
    async () => {
      expect(nativeWhy, `tfjs-node did not load: ${nativeWhy}`).toBeUndefined();
      await tf.setBackend('tensorflow');
      const fused = fusedKernelsStatus()?.loaded === true;
      const withFused = new Set(checkActiveBackend());
      expect(withFused.has('additiveScores') && withFused.has('matMul') && withFused.has('network')).toBe(true);
      if (fused || NATIVE_REQUIRED) {
        expect([...withFused].filter((n) => ['attendedSum', 'lstmCell', 'topK'].includes(n)).sort()).toEqual([
          'attendedSum',
          'lstmCell',
          'topK',
        ]);
        expect(fastPath('adamUpdate')).toBeDefined();
      }
      setFusedKernels(false); // the table follows the switch at once
      expect(fastPath('lstmCell')).toBeUndefined();
      expect(fastPath('adamUpdate')).toBeUndefined();
      expect(fastPath('topK')).toBeUndefined();
      const without = new Set(checkActiveBackend());
      expect(without.has('attendedSum') || without.has('lstmCell')).toBe(false);
      expect(without.has('additiveScores')).toBe(true); // the one-sigmoid scores
      setFusedKernels(true);
    },
  );

  it("the model's files hold no backend checks and import no fast path: only dispatch.ts chooses", () => {
    const files = (dir: string): string[] =>
      fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    // The relative import specifiers of a source file, resolved to repository paths (.js → .ts).
    const importsOf = (file: string): string[] =>
      [...fs.readFileSync(path.join(ROOT, file), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
        path.join(path.dirname(file), m[1]!).replace(/\.js$/, '.ts'),
      );
    const performanceLayer = path.join('src', 'fast-paths');
    for (const file of files('src/decoder')) {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
      expect(text, file).not.toMatch(/getBackend|onWasm|onNative|fusedKernels|fused-state/);
      // From the performance layer the model takes only the dispatch point and the stock-op wrappers.
      const fromLayer = importsOf(file).filter((f) => f.startsWith(performanceLayer + path.sep));
      expect(
        fromLayer.every((f) => ['dispatch.ts', 'ops.ts'].includes(path.basename(f))),
        file,
      ).toBe(true);
    }
    const backendSets = ['common.ts', 'native.ts', 'wasm.ts'].map((f) => path.join(performanceLayer, f));
    const importers = files('src').filter((f) => importsOf(f).some((i) => backendSets.includes(i)));
    expect(importers).toEqual([path.join(performanceLayer, 'dispatch.ts')]);
  });
});
