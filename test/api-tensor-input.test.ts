/**
 * One tfjs or two: a tensor made by another copy of tfjs (a second tfjs-core, copied under .cache/ as a
 * nested node_modules would hold it: another module, another Tensor class) is accepted as an input by
 * its shape and data, and captions exactly as the same pixels given as our own tensor.
 */
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../src/index.js';
import { selectBackend } from '../src/backend/select.js';

beforeAll(async () => {
  await selectBackend({ requested: 'wasm', log: () => {} });
});

describe('tensor inputs from another copy of tfjs', () => {
  it('are recognised without instanceof and caption as our own tensors do', { timeout: 60_000 }, async () => {
    const copy = path.resolve('.cache', `second-tfjs-${process.pid}`, 'node_modules', '@tensorflow', 'tfjs-core');
    cpSync(path.resolve('node_modules', '@tensorflow', 'tfjs-core'), copy, { recursive: true });
    const other = createRequire(path.join(copy, 'package.json'))(copy) as typeof tf;
    const { data, info } = await sharp('docs/examples/photos/horse.png').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const shape: [number, number, number] = [info.height, info.width, 3];
    const foreign = other.tensor3d(Int32Array.from(data), shape, 'int32');
    const ours = tf.tensor3d(Int32Array.from(data), shape, 'int32');
    expect(other.Tensor).not.toBe(tf.Tensor); // another module instance (tfjs's own instanceof check duck-types; ours does not rely on it)
    const captioner = await loadCaptioner({ backend: 'wasm' });
    try {
      const [a] = await captioner.caption(foreign);
      const [b] = await captioner.caption(ours);
      expect(a!.text).toBe(b!.text);
      expect(a!.text.split(' ').length).toBeGreaterThan(2);
      await expect(captioner.caption(other.zeros([4, 4]) as unknown as tf.Tensor3D)).rejects.toThrow(
        /input 1: a tensor must be \[height, width, 3\] RGB, got \[4, 4\]/,
      );
    } finally {
      captioner.dispose();
      tf.dispose([ours]);
      foreign.dispose();
      rmSync(path.resolve('.cache', `second-tfjs-${process.pid}`), { recursive: true, force: true });
    }
  });
});
