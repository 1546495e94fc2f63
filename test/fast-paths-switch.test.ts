/**
 * One switch turns every fast path off (src/fast-paths/dispatch.ts): CAPTION_FAST_PATHS=off in the
 * environment, or setFastPaths(false); then each dispatched op runs its plain-tfjs reference.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { dispatched, fastPath, parseFastPathsSwitch, setFastPaths } from '../src/fast-paths/dispatch.js';
import { FAST_PATH_NAMES } from '../src/fast-paths/types.js';

const NAMES = FAST_PATH_NAMES;

describe('the fast-path switch', () => {
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
  });
  afterAll(() => {
    setFastPaths(true);
  });

  it('reads the environment value', () => {
    expect([undefined, '', 'on', '1', 'all', 'matMul'].map(parseFastPathsSwitch)).toEqual(['on', 'on', 'on', 'on', 'on', 'on']);
    expect(['off', 'OFF', '0', 'none', 'false', ' off '].map(parseFastPathsSwitch)).toEqual(['off', 'off', 'off', 'off', 'off', 'off']);
    expect(parseFastPathsSwitch('-matMul, -topK')).toEqual({ except: ['matMul', 'topK'] });
    expect(() => parseFastPathsSwitch('-matMul,-tahn')).toThrow(/CAPTION_FAST_PATHS: unknown fast path "tahn" \(known: matMul, /);
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
    expect(setFastPaths(false)).toBe('on');
    expect(NAMES.filter((n) => fastPath(n) !== undefined)).toEqual([]);
    const plain = op(x, w);
    expect(referenceCalls).toBe(1);
    expect(Array.from(plain.dataSync()).every((v, i) => Math.abs(v - fast.dataSync()[i]!) < 1e-4)).toBe(true);
    setFastPaths(true);
    expect(fastPath('matMul')).toBeDefined();
    tf.dispose([x, w, fast, plain]);
  });

  it('all but some: only the ops named run their reference', () => {
    const on = NAMES.filter((n) => fastPath(n) !== undefined);
    expect(on).toContain('matMul');
    expect(on).toContain('attendedSum');
    expect(setFastPaths({ except: ['matMul', 'attendedSum'] })).toBe('on');
    expect(NAMES.filter((n) => fastPath(n) !== undefined)).toEqual(on.filter((n) => n !== 'matMul' && n !== 'attendedSum'));
    expect(setFastPaths(true)).toEqual({ except: ['matMul', 'attendedSum'] });
    expect(NAMES.filter((n) => fastPath(n) !== undefined)).toEqual(on);
  });
});
