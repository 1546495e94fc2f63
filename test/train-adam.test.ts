/**
 * The project's Adam (src/train/adam.ts) as a checkpoint sees it: its state restored continues the
 * run bit for bit, a state without the β powers gets tfjs's pow(β, t + 1) in float32, a state that
 * lacks a weight's moments is refused, and restoring holds no tensor beyond the state itself.
 * (Its arithmetic against tfjs's AdamOptimizer: test/adam-against-tfjs.ts, per backend.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { createAdam, type Adam } from '../src/train/adam.js';
import * as tf from '../src/util/tf.js';
import { UserError } from '../src/util/user-error.js';

beforeAll(async () => {
  await selectBackend({ requested: 'cpu', log: () => {} });
});

const weightsOf = (tag: string): Map<string, tf.Variable> =>
  new Map<string, tf.Variable>([
    [
      'w',
      tf.variable(
        tf.tensor2d([
          [0.5, -1],
          [2, 0.25],
        ]),
        true,
        `adam-${tag}-w`,
      ),
    ],
    ['b', tf.variable(tf.tensor1d([0.1, -0.2, 0.3]), true, `adam-${tag}-b`)],
  ]);
const gradsAt = (weights: Map<string, tf.Variable>, step: number) =>
  Object.fromEntries([...weights.values()].map((v, i) => [v.name, tf.mul(tf.sin(tf.add(tf.onesLike(v), step + i)), 0.3)]));
const step = (adam: Adam, weights: Map<string, tf.Variable>, n: number) => {
  const g = gradsAt(weights, n);
  adam.applyGradients(g);
  tf.dispose(Object.values(g));
};
const values = (weights: Map<string, tf.Variable>) => [...weights.values()].map((v) => Array.from(v.dataSync()));

describe('Adam state', () => {
  it('restored into a fresh Adam, continues exactly as the original', () => {
    const a = weightsOf('a');
    const adam = createAdam(0.01, a);
    for (let n = 0; n < 3; n++) step(adam, a, n);
    const saved = adam.state();
    const b = weightsOf('b');
    [...b.values()].forEach((v, i) => v.assign([...a.values()][i]!));
    const resumed = createAdam(0.01, b);
    const before = tf.memory().numTensors;
    resumed.restore(saved);
    expect(tf.memory().numTensors - before).toBe(2 * a.size); // m and v per weight; nothing else stays
    expect(resumed.iterations).toBe(3);
    for (let n = 3; n < 6; n++) {
      step(adam, a, n);
      step(resumed, b, n);
    }
    expect(values(b)).toEqual(values(a));
    const [s1, s2] = [adam.state(), resumed.state()];
    for (const [k, t] of s1) expect(Array.from(s2.get(k)!.dataSync()), k).toEqual(Array.from(t.dataSync()));
    tf.dispose([...saved.values(), ...s1.values(), ...s2.values(), ...a.values(), ...b.values()]);
    adam.dispose();
    resumed.dispose();
  });

  it('a state saved before the β powers were stored gets pow(β, t + 1) in float32, as tfjs gave them', () => {
    const a = weightsOf('c');
    const adam = createAdam(0.01, a);
    for (let n = 0; n < 4; n++) step(adam, a, n);
    const saved = adam.state();
    saved.delete('adam/beta1_power');
    saved.delete('adam/beta2_power');
    const resumed = createAdam(0.01, weightsOf('d'));
    resumed.restore(saved);
    const powers = resumed.state();
    expect(powers.get('adam/beta1_power')!.dataSync()[0]).toBe(tf.pow(tf.scalar(0.9), 5).dataSync()[0]);
    expect(powers.get('adam/beta2_power')!.dataSync()[0]).toBe(tf.pow(tf.scalar(0.999), 5).dataSync()[0]);
  });

  it("a state after some steps that lacks a weight's moments is refused, naming the weight", () => {
    const a = weightsOf('e');
    const adam = createAdam(0.01, a);
    step(adam, a, 0);
    const saved = adam.state();
    saved.delete('b/v');
    expect(() => createAdam(0.01, weightsOf('f')).restore(saved)).toThrow(UserError);
    expect(() => createAdam(0.01, weightsOf('g')).restore(saved)).toThrow(
      /optimizer state of step 1 has no moments for b: it is not this model's/,
    );
  });
});
