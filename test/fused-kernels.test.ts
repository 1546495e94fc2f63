/**
 * The fused native kernels (native/attend-caption-ops.cc, built by `npm run setup:native`) against the
 * stock TensorFlow ops they replace: additive attention scores (forward and gradients, one and several
 * rows per image), Adam, a whole training step and beam search. Skipped when tfjs-node or the kernels
 * are not built, unless CAPTION_REQUIRE_NATIVE=1 (CI), where their absence is a failure.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FUSED_KERNEL_GROUPS,
  FUSED_KERNELS_PATH,
  fusedKernels,
  fusedKernelsStatus,
  parseFusedKernelGroups,
  setFusedKernels,
} from '../src/fast-paths/fused-kernels.js';
import { beamSearch } from '../src/search/beam.js';
import { createDecoder } from '../src/decoder/decoder.js';
import { fusedAdditiveScores, fusedContext } from '../src/fast-paths/fused-ops.js';
import { lstmCell } from '../src/decoder/lstm.js';
import { runNativeOp } from '../src/fast-paths/native-kernels.js';
import { createAdam } from '../src/train/adam.js';
import { expectAdamAsTfjs } from './adam-against-tfjs.js';
import { mulberry32 } from '../src/util/random.js';
import { NATIVE_REQUIRED, nativeUnavailable } from './native.js';

const nativeWhy = await nativeUnavailable();
const why = nativeWhy ?? (fusedKernelsStatus()?.loaded ? undefined : fusedKernelsStatus()?.reason);
const suite = why === undefined || NATIVE_REQUIRED ? describe : describe.skip;

const rng = mulberry32(5);
const rand = (shape: number[], scale = 1) =>
  tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (rng() * 2 - 1) * scale),
    shape,
  );

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync(),
    y = b.dataSync();
  let m = 0;
  x.forEach((v, i) => (m = Math.max(m, Math.abs(v - y[i]!))));
  return m;
}

/** The stock-op reference: keys [G, L, A], query [N, A], w [A] → w · tanh(keys[n / k] + query[n]) [N, L]. */
function stockScores(keys: tf.Tensor, query: tf.Tensor, w: tf.Tensor): tf.Tensor {
  const [G, L, A] = keys.shape as [number, number, number];
  const k = query.shape[0]! / G;
  const perRow = tf.reshape(tf.tile(tf.expandDims(keys, 1), [1, k, 1, 1]), [G * k, L, A]); // [N, L, A]
  return tf.sum(tf.mul(tf.tanh(tf.add(perRow, tf.expandDims(query, 1))), w), 2); // [N, L]
}

function decoderInputs(B: number, L: number, D: number, T: number, V: number) {
  const features = rand([B, L, D], 2) as tf.Tensor3D;
  const tokens = tf.tensor2d(
    Int32Array.from({ length: B * (T + 1) }, (_, i) => (i % (T + 1) === 0 ? 1 : 3 + Math.floor(rng() * (V - 3)))),
    [B, T + 1],
    'int32',
  );
  const mask = tf.ones([B, T + 1]) as tf.Tensor2D;
  return { features, tokens, mask };
}

suite(`fused native kernels${why && !NATIVE_REQUIRED ? ` [skipped: ${why}]` : ''}`, () => {
  afterEach(() => {
    setFusedKernels(true);
  });

  it('are built and loaded with the native backend (npm run setup:native)', async () => {
    expect(nativeWhy, `tfjs-node did not load: ${nativeWhy}`).toBeUndefined();
    await tf.setBackend('tensorflow');
    expect(fusedKernelsStatus()?.loaded, fusedKernelsStatus()?.reason).toBe(true);
    expect(FUSED_KERNEL_GROUPS.every((g) => fusedKernels(g))).toBe(true);
    expect(setFusedKernels(false)).toBe(true);
    expect(FUSED_KERNEL_GROUPS.some((g) => fusedKernels(g))).toBe(false);
  });

  it('size their thread pool from the CPUs the process may use (affinity), or CAPTION_NATIVE_THREADS', () => {
    const threadsWith = (prefix: string[], env: Record<string, string> = {}): number => {
      const probe = `require('@tensorflow/tfjs-node'); process.stdout.write(String(require(${JSON.stringify(FUSED_KERNELS_PATH)}).threads))`;
      const r = spawnSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), '-e', probe], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      });
      expect(r.status, r.stderr).toBe(0);
      return Number(r.stdout);
    };
    const cpus = Math.min(8, os.availableParallelism());
    expect(threadsWith([])).toBe(cpus);
    expect(threadsWith(['taskset', '-c', '0'])).toBe(1);
    expect(threadsWith([], { CAPTION_NATIVE_THREADS: '3' })).toBe(3);
    expect(fusedKernelsStatus()?.threads).toBe(cpus);
  });

  it('a C++ exception inside a kernel fails that op with its message, and the process goes on', () => {
    const probe = [
      "const tf = await import('@tensorflow/tfjs');",
      "const { selectBackend } = await import('./src/backend/select.ts');",
      "const { fusedContext } = await import('./src/fast-paths/fused-ops.ts');",
      "await selectBackend({ requested: 'tensorflow', log: () => {} });",
      "try { fusedContext(tf.ones([2, 3]), tf.ones([2, 3, 4])).dataSync(); console.log('no error'); }",
      "catch (e) { console.log('caught: ' + String(e.message).replace(/\\n/g, ' | ')); }",
      "console.log('alive ' + tf.add(1, 2).dataSync()[0]);",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
      encoding: 'utf8',
      cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
      env: { ...process.env, CAPTION_TEST_KERNEL_THROW: '1' },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/caught: .*attend-caption kernel failed: injected by CAPTION_TEST_KERNEL_THROW/);
    expect(r.stdout).toMatch(/alive 3/);
  });

  it('additive scores and their gradients match the stock ops, for 1 and 3 rows per image', async () => {
    await tf.setBackend('tensorflow');
    for (const k of [1, 3]) {
      const G = 2,
        L = 7,
        A = 37; // A not a multiple of the vector width: the loop tails count too
      const keys = rand([G, L, A], 3),
        query = rand([G * k, A], 3),
        w = rand([A]);
      const dy = rand([G * k, L]);
      const loss = (f: typeof stockScores) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(f(a, b, c), dy));
      const fused = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => fusedAdditiveScores(a as tf.Tensor3D, b as tf.Tensor2D, c as tf.Tensor1D);
      expect(maxDiff(fused(keys, query, w), stockScores(keys, query, w))).toBeLessThan(2e-6);
      const ours = tf.grads(loss(fused))([keys, query, w]);
      const stock = tf.grads(loss(stockScores))([keys, query, w]);
      ours.forEach((g, i) => expect(maxDiff(g, stock[i]!), `k=${k}, input ${i}`).toBeLessThan(1e-5));
    }
  });

  it('the context vector and its gradients (α, and the features if asked) match the stock ops', async () => {
    await tf.setBackend('tensorflow');
    for (const k of [1, 3]) {
      const G = 2,
        L = 9,
        D = 21;
      const alpha = rand([G * k, L]),
        features = rand([G, L, D], 2),
        dy = rand([G * k, D]);
      const stock = (a: tf.Tensor, f: tf.Tensor) => tf.reshape(tf.matMul(tf.reshape(a, [G, k, L]), f as tf.Tensor3D), [G * k, D]);
      const fused = (a: tf.Tensor, f: tf.Tensor) => fusedContext(a as tf.Tensor2D, f as tf.Tensor3D);
      expect(maxDiff(fused(alpha, features), stock(alpha, features))).toBeLessThan(1e-5);
      const loss = (f: typeof stock) => (a: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(f(a, x), dy));
      const ours = tf.grads(loss(fused))([alpha, features]);
      const ref = tf.grads(loss(stock))([alpha, features]);
      ours.forEach((g, i) => expect(maxDiff(g, ref[i]!), `k=${k}, input ${i}`).toBeLessThan(1e-5));
    }
  });

  it('the LSTM cell and its gradients match the stock ops', async () => {
    await tf.setBackend('tensorflow');
    const pre = rand([3, 20], 4),
      cPrev = rand([3, 5], 2),
      dh = rand([3, 5]),
      dc = rand([3, 5]);
    const loss = (p: tf.Tensor, c: tf.Tensor) => {
      const s = lstmCell(p as tf.Tensor2D, c as tf.Tensor2D);
      return tf.add(tf.sum(tf.mul(s.h, dh)), tf.sum(tf.mul(s.c, dc)));
    };
    const run = () => {
      const s = lstmCell(pre as tf.Tensor2D, cPrev as tf.Tensor2D);
      return [s.h, s.c, ...tf.grads(loss)([pre, cPrev])];
    };
    const fused = run();
    setFusedKernels(false);
    const stock = run();
    fused.forEach((t, i) => expect(maxDiff(t, stock[i]!), `output ${i}`).toBeLessThan(2e-6));
  });

  it('tanh is accurate over the whole range, saturation and tiny inputs included', async () => {
    await tf.setBackend('tensorflow');
    const x = tf.tensor1d([-50, -9, -7.9, -3, -1, -0.3, -1e-3, -1e-5, 0, 1e-5, 3e-4, 1e-3, 0.5, 2, 7.95, 20, 1e4]);
    const [, act] = runNativeOp(
      'AttendCaptionAdditiveScores',
      { keys: tf.reshape(x, [1, 1, -1]), query: tf.zerosLike(tf.reshape(x, [1, -1])), w: tf.onesLike(x) },
      2,
    );
    expect(maxDiff(tf.reshape(act!, [-1]), tf.tanh(x))).toBeLessThan(1e-6);
    const special = tf.tensor1d([NaN, Infinity, -Infinity]);
    const [, out] = runNativeOp(
      'AttendCaptionAdditiveScores',
      { keys: tf.reshape(special, [1, 1, -1]), query: tf.zeros([1, 3]), w: tf.ones([3]) },
      2,
    );
    expect(Array.from(out!.dataSync())).toEqual([NaN, 1, -1]); // a NaN is not hidden (the trainer stops on NaN losses)
  });

  it('reject inconsistent shapes with a clear error', async () => {
    await tf.setBackend('tensorflow');
    expect(() => fusedAdditiveScores(rand([2, 3, 4]) as tf.Tensor3D, rand([3, 4]) as tf.Tensor2D, rand([4]) as tf.Tensor1D)).toThrow(
      /multiple of the key images/,
    );
    expect(() => fusedAdditiveScores(rand([2, 3, 4]) as tf.Tensor3D, rand([2, 5]) as tf.Tensor2D, rand([4]) as tf.Tensor1D)).toThrow(
      /disagree on A/,
    );
  });

  it("Adam gives tfjs's Adam's weights and state, step for step", async () => {
    await tf.setBackend('tensorflow');
    const start = [rand([5, 3]), rand([7])];
    const grads = [0, 1, 2].map(() => start.map((s) => rand(s.shape, 0.5)));
    await expectAdamAsTfjs(start, grads);
  });

  it('a training step gives the same loss and gradients with and without them, every time, and leaks no tensor', async () => {
    await tf.setBackend('tensorflow');
    const decoder = createDecoder({ vocabSize: 11, featureDim: 6, embedDim: 5, hiddenDim: 8, attentionDim: 9, seed: 2, dropout: 0 });
    const { features, tokens, mask } = decoderInputs(3, 10, 6, 5, 11);
    const vars = decoder.trainableVariables();
    const step = () => tf.variableGrads(() => decoder.computeLoss(features, tokens, mask).loss, vars);
    const fused = step();
    const again = step(); // deterministic: the kernels split work the same way every call
    for (const name of Object.keys(fused.grads)) expect(maxDiff(fused.grads[name]!, again.grads[name]!), name).toBe(0);
    tf.dispose([again.value, ...Object.values(again.grads)]);
    setFusedKernels(false);
    const stock = step();
    setFusedKernels(true);
    expect(Math.abs(fused.value.dataSync()[0]! - stock.value.dataSync()[0]!)).toBeLessThan(1e-5);
    for (const name of Object.keys(stock.grads)) expect(maxDiff(fused.grads[name]!, stock.grads[name]!), name).toBeLessThan(1e-5);
    tf.dispose([fused.value, stock.value, ...Object.values(fused.grads), ...Object.values(stock.grads)]);

    const optimizer = createAdam(0.01, decoder.getWeights());
    const train = () => {
      const { value, grads } = step();
      optimizer.applyGradients(grads);
      tf.dispose([value, ...Object.values(grads)]);
    };
    train(); // creates the moment variables
    const before = tf.memory().numTensors;
    train();
    train();
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    decoder.dispose();
    tf.dispose([features, tokens, mask]);
  });

  it('beam search finds the same captions and attention with and without them', async () => {
    await tf.setBackend('tensorflow');
    const decoder = createDecoder({ vocabSize: 13, featureDim: 6, embedDim: 5, hiddenDim: 8, attentionDim: 9, seed: 4 });
    const features = rand([2, 10, 6], 2) as tf.Tensor3D;
    const search = () => beamSearch(decoder, features, { beamSize: 3, maxLength: 6 });
    const fused = search();
    setFusedKernels(false);
    const stock = search();
    const best = (r: (typeof fused)[number]) => r; // each result is its best hypothesis
    expect(fused.map((r) => best(r).tokens)).toEqual(stock.map((r) => best(r).tokens));
    fused.forEach((r, i) => {
      const [a, b] = [best(r), best(stock[i]!)];
      expect(Math.abs(a.logProb - b.logProb)).toBeLessThan(1e-4);
      a.words.forEach((w, t) => w.alpha.forEach((v, l) => expect(Math.abs(v - b.words[t]!.alpha[l]!)).toBeLessThan(1e-5)));
    });
    features.dispose();
    decoder.dispose();
  });
});

describe('CAPTION_FUSED_KERNELS', () => {
  it('names all, none, or some of the kernel groups, and rejects unknown names', () => {
    expect([...parseFusedKernelGroups(undefined)]).toEqual([...FUSED_KERNEL_GROUPS]);
    expect([...parseFusedKernelGroups('all')]).toEqual([...FUSED_KERNEL_GROUPS]);
    expect(parseFusedKernelGroups('0').size).toBe(0);
    expect(parseFusedKernelGroups('none').size).toBe(0);
    expect([...parseFusedKernelGroups('adam, Attention')]).toEqual(['adam', 'attention']);
    expect(() => parseFusedKernelGroups('adam,lstms')).toThrow(/unknown kernel group "lstms"/);
  });
});
