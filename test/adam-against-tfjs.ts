/** The project's Adam (src/train/fused-adam.ts) against tfjs's, from the same start through the same gradients. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { FusedAdamOptimizer } from '../src/train/fused-adam.js';

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

interface AdamComparison {
  /** Largest |difference| over the weights, then over the optimizer state (moments, in order). */
  weights: number;
  state: number;
  /** The state's variable names, each optimizer's own suffix taken off: must be equal. */
  names: [string[], string[]];
  iterations: number;
  /** Tensors held after one more fused step minus before it (0: nothing leaks). */
  leakedPerStep: number;
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

async function fusedAdamAgainstTfjs(start: readonly tf.Tensor[], grads: readonly (readonly tf.Tensor[])[]): Promise<AdamComparison> {
  const run = (optimizer: tf.AdamOptimizer, steps: readonly (readonly tf.Tensor[])[]) => {
    const vars = start.map((s, i) => tf.variable(s.clone(), true, `adam-test-${i}-${optimizer.constructor.name}`));
    for (const g of steps) optimizer.applyGradients(Object.fromEntries(vars.map((v, i) => [v.name, g[i]!])) as unknown as Gradients);
    return vars;
  };
  const fused = new FusedAdamOptimizer(0.01, 0.9, 0.999, 1e-8);
  const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  const a = run(fused, grads.slice(0, -1));
  const before = tf.memory().numTensors;
  fused.applyGradients(Object.fromEntries(a.map((v, i) => [v.name, grads.at(-1)![i]!])) as unknown as Gradients);
  const leakedPerStep = tf.memory().numTensors - before;
  const b = run(stock, grads);
  const [wa, wb] = [await fused.getWeights(), await stock.getWeights()];
  const result: AdamComparison = {
    weights: Math.max(...a.map((v, i) => maxDiff(v, b[i]!))),
    state: Math.max(...wa.map((w, i) => maxDiff(w.tensor, wb[i]!.tensor))),
    names: [wa.map((w) => w.name.replace(/-FusedAdamOptimizer/, '')), wb.map((w) => w.name.replace(/-AdamOptimizer/, ''))],
    iterations: fused.iterations,
    leakedPerStep,
  };
  tf.dispose([...a, ...b]);
  fused.dispose();
  stock.dispose();
  return result;
}

/** Expects the project's Adam to give tfjs's weights and state (to 1e-6) and names, and to leak nothing. */
export async function expectAdamAsTfjs(start: readonly tf.Tensor[], grads: readonly (readonly tf.Tensor[])[]): Promise<void> {
  const r = await fusedAdamAgainstTfjs(start, grads);
  expect(r.weights).toBeLessThan(1e-6);
  expect(r.state).toBeLessThan(1e-6);
  expect(r.names[0]).toEqual(r.names[1]);
  expect(r.iterations).toBe(grads.length);
  expect(r.leakedPerStep).toBe(0);
}
