/**
 * One switch turns every fast path off (src/backend/dispatch.ts): CAPTION_FAST_PATHS=off in the
 * environment, or setFastPaths(false); then each dispatched op runs its plain-tfjs reference.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { dispatched, fastPath, parseFastPathsSwitch, setFastPaths, type FastPathName } from '../src/backend/dispatch.js';

const NAMES: FastPathName[] = [
  'matMul',
  'sigmoid',
  'tanh',
  'logSoftmax',
  'softmaxCrossEntropy',
  'stepMatMul',
  'additiveScores',
  'attendedSum',
  'lstmCell',
  'topK',
  'adamUpdate',
];

describe('the fast-path switch', () => {
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
  });
  afterAll(() => {
    setFastPaths(true);
  });

  it('reads the environment value', () => {
    expect([undefined, '', 'on', '1', 'all'].map(parseFastPathsSwitch)).toEqual([true, true, true, true, true]);
    expect(['off', 'OFF', '0', 'none', 'false'].map(parseFastPathsSwitch)).toEqual([false, false, false, false, false]);
  });

  it('off: no op has a fast path on the active backend, and a dispatched op runs its reference', () => {
    expect(NAMES.some((n) => fastPath(n) !== undefined)).toBe(true); // WASM has some
    let referenceCalls = 0;
    const reference = (x: tf.Tensor2D, w: tf.Tensor2D) => {
      referenceCalls++;
      return tf.matMul(x, w) as tf.Tensor2D;
    };
    const op = dispatched('matMul', reference);
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([4, 5], 0, 1, 'float32', 2) as tf.Tensor2D;
    const fast = op(x, w);
    expect(referenceCalls).toBe(0);
    expect(setFastPaths(false)).toBe(true);
    expect(NAMES.filter((n) => fastPath(n) !== undefined)).toEqual([]);
    const plain = op(x, w);
    expect(referenceCalls).toBe(1);
    expect(Array.from(plain.dataSync()).every((v, i) => Math.abs(v - fast.dataSync()[i]!) < 1e-4)).toBe(true);
    setFastPaths(true);
    expect(fastPath('matMul')).toBeDefined();
    tf.dispose([x, w, fast, plain]);
  });
});
