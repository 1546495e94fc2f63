/**
 * The training loop leaks no tensors: after every epoch (steps, validation by decoding, the best
 * checkpoint, the resumable checkpoint with Adam's state, an LR change) the engine holds the same
 * number of tensors. And a non-finite gradient with a finite loss stops it before any weight moves.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import type { AttentionDecoder } from '../src/decoder/decoder.js';
import { disposeCheckpoint, loadCheckpoint } from '../src/checkpoint/checkpoint.js';
import { NonFiniteLossError, runTraining } from '../src/train/trainer.js';
import { tinyTrainLoop } from './tiny-training.js';

describe('training loop', () => {
  beforeAll(async () => {
    await selectBackend({ log: () => {} });
  });

  it('holds the same number of tensors after every epoch', async () => {
    const { loop, dir } = await tinyTrainLoop();
    const counts: number[] = [];
    await runTraining({ ...loop, log: () => counts.push(tf.memory().numTensors) });
    expect(counts).toHaveLength(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(counts[0]).toBe(counts[1]);
    loop.decoder.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it.each([NaN, Infinity])('a %s gradient norm with a finite loss stops at that step, weights and checkpoint untouched', async (bad) => {
    const { loop, dir } = await tinyTrainLoop({ maxEpochs: 2 });
    const real = loop.decoder;
    let calls = 0;
    const poisonAt = 5; // steps 0..4 train normally (a checkpoint after each), step 5 gets the bad gradient
    // A loss with the real value but a `bad` gradient: √(x − x) has the value 0 and the gradient ∞
    // (times 0: NaN; times 1e-30: still ∞).
    const decoder = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'computeLoss') return Reflect.get(target, prop, receiver);
        return (...args: Parameters<AttentionDecoder['computeLoss']>) => {
          const out = target.computeLoss(...args);
          if (calls++ !== poisonAt) return out;
          const w = target.trainableVariables()[0]!;
          const zero = tf.sub(tf.sum(w), tf.sum(w)); // [] value 0, gradient 0 into w
          const poison = Number.isNaN(bad) ? tf.mul(0, tf.sqrt(zero)) : tf.mul(tf.scalar(1e-30), tf.pow(zero, 0.5)); // value 0, gradient NaN / ∞
          return { ...out, loss: tf.add(out.loss, poison) as tf.Scalar };
        };
      },
    });
    const error = await runTraining({ ...loop, decoder, validate: async () => ({ 'BLEU-4': 0 }) }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect(String((error as Error).message)).toMatch(
      /the gradient norm became (NaN|Infinity) \(loss [0-9.]+\) at step 5 \(epoch 2\); stopped without applying it/,
    );
    // The live weights are exactly those of the checkpoint saved after step 5's predecessor: untouched.
    const last = await loadCheckpoint(path.join(loop.options.runDir, 'last'), { withResume: true });
    expect((last.resume!.state as { step: number }).step).toBe(5);
    for (const [name, saved] of real.getWeights()) {
      const live = Array.from(saved.dataSync());
      expect(live.every(Number.isFinite), name).toBe(true);
      expect(live, name).toEqual(Array.from(last.weights.get(name)!.dataSync()));
    }
    disposeCheckpoint(last);
    real.dispose();
    await fs.rm(dir, { recursive: true, force: true });
  });
});
