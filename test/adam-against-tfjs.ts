/**
 * The project's Adam (src/train/adam.ts: `adamUpdate` per weight, through the active backend's fast
 * path if it has one) against tfjs's AdamOptimizer, from the same start through the same gradients.
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { createAdam } from '../src/train/adam.js';

type Gradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

interface AdamComparison {
  /** Largest |difference| over the weights, then over the optimizer state (both moments of each weight). */
  weights: number;
  state: number;
  iterations: number;
  /** Tensors held after one more step minus before it (0: nothing leaks). */
  leakedPerStep: number;
}

const maxDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);

async function adamAgainstTfjs(start: readonly tf.Tensor[], grads: readonly (readonly tf.Tensor[])[]): Promise<AdamComparison> {
  const variables = (tag: string) => start.map((s, i) => tf.variable(s.clone(), true, `adam-test-${tag}-${i}`));
  const ours = variables('ours');
  const adam = createAdam(0.01, new Map(ours.map((v, i) => [`w${i}`, v])));
  const step = (g: readonly tf.Tensor[]) => adam.applyGradients(Object.fromEntries(ours.map((v, i) => [v.name, g[i]!])));
  for (const g of grads.slice(0, -1)) step(g);
  const before = tf.memory().numTensors;
  step(grads.at(-1)!);
  const leakedPerStep = tf.memory().numTensors - before;

  const theirs = variables('tfjs');
  const stock = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  for (const g of grads) stock.applyGradients(Object.fromEntries(theirs.map((v, i) => [v.name, g[i]!])) as unknown as Gradients);
  const stockState = new Map((await stock.getWeights()).map((w) => [w.name, w.tensor]));
  const state = adam.state();
  const stateDiffs = theirs.flatMap((v, i) =>
    (['m', 'v'] as const).map((which) => maxDiff(state.get(`w${i}/${which}`)!, stockState.get(`${v.name}/${which}`)!)),
  );
  const result: AdamComparison = {
    weights: Math.max(...ours.map((v, i) => maxDiff(v, theirs[i]!))),
    state: Math.max(...stateDiffs),
    iterations: state.get('iter')!.dataSync()[0]!,
    leakedPerStep,
  };
  tf.dispose([...ours, ...theirs, ...state.values()]);
  adam.dispose();
  stock.dispose();
  return result;
}

/** Expects the project's Adam to give tfjs's weights and moments (to 1e-6) and to leak nothing. */
export async function expectAdamAsTfjs(start: readonly tf.Tensor[], grads: readonly (readonly tf.Tensor[])[]): Promise<void> {
  const r = await adamAgainstTfjs(start, grads);
  expect(r.weights).toBeLessThan(1e-6);
  expect(r.state).toBeLessThan(1e-6);
  expect(r.iterations).toBe(grads.length);
  expect(r.leakedPerStep).toBe(0);
}
