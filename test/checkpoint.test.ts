import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { disposeCheckpoint, loadCheckpoint, saveCheckpoint, type Checkpoint } from '../src/checkpoint/checkpoint.js';

function sample(): Checkpoint {
  return {
    encoder: 'mobilenet_v1_1.0/conv_pw_11_relu/14x14x512/squash/sha256:0123',
    grid: { height: 14, width: 14 },
    config: { vocabSize: 7, hiddenDim: 5 },
    vocab: { words: ['<pad>', '<start>', '<end>', '<unk>', 'a', 'red', 'circle'] },
    weights: new Map<string, tf.Tensor>([
      [
        'embedding',
        tf.tensor2d([
          [0.1, -0.25, 3.5],
          [1e-3, 2, -7],
        ]),
      ],
      ['lstm/kernel', tf.tensor1d([1, 2, 3, 4.5])],
      ['step', tf.scalar(3, 'int32')],
    ]),
    training: { epochs: 2, bestBleu4: 0.5 },
  };
}

describe('checkpoint folder', () => {
  let root: string;
  beforeAll(async () => {
    await selectBackend({ log: () => {} });
  });
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'ckpt-'));
  });

  it('save → load round-trips config, vocab, encoder, summary and weights exactly (float32)', async () => {
    const dir = path.join(root, 'shapes');
    const ckpt = sample();
    await saveCheckpoint(dir, ckpt);
    const back = await loadCheckpoint(dir);
    expect(back.encoder).toBe(ckpt.encoder);
    expect(back.grid).toEqual({ height: 14, width: 14 });
    expect(back.config).toEqual(ckpt.config);
    expect(back.vocab).toEqual(ckpt.vocab);
    expect(back.training).toEqual(ckpt.training);
    for (const [name, t] of ckpt.weights) {
      const b = back.weights.get(name)!;
      expect(b.shape).toEqual(t.shape);
      expect(b.dtype).toBe(t.dtype);
      expect(Array.from(b.dataSync())).toEqual(Array.from(t.dataSync()));
    }
    expect((await fs.readdir(root)).sort()).toEqual(['shapes']); // no temp folders left
    disposeCheckpoint(back);
    disposeCheckpoint(ckpt);
  });

  it('float16 storage halves the weights and keeps values to float16 precision', async () => {
    const ckpt = sample();
    await saveCheckpoint(path.join(root, 'f32'), ckpt);
    await saveCheckpoint(path.join(root, 'f16'), ckpt, { storage: 'float16' });
    const size = async (d: string) => (await fs.stat(path.join(root, d, 'weights.bin'))).size;
    expect(await size('f16')).toBe((await size('f32')) - 10 * 2); // 10 float32 values → 2 bytes each saved
    const back = await loadCheckpoint(path.join(root, 'f16'));
    const got = back.weights.get('embedding')!.dataSync();
    const want = ckpt.weights.get('embedding')!.dataSync();
    want.forEach((v, i) => expect(Math.abs(got[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11));
    expect(back.weights.get('step')!.dtype).toBe('int32');
    disposeCheckpoint(back);
    disposeCheckpoint(ckpt);
  });

  it('resume state (optimizer tensors + JSON) round-trips only when asked for', async () => {
    const ckpt = sample();
    ckpt.resume = { optimizer: new Map([['adam/m/embedding', tf.ones([2, 3])]]), state: { epoch: 3, rng: 12345 } };
    const dir = path.join(root, 'last');
    await saveCheckpoint(dir, ckpt);
    expect((await loadCheckpoint(dir)).resume).toBeUndefined();
    const back = await loadCheckpoint(dir, { withResume: true });
    expect(back.resume?.state).toEqual({ epoch: 3, rng: 12345 });
    expect(Array.from(back.resume!.optimizer.get('adam/m/embedding')!.dataSync())).toEqual([1, 1, 1, 1, 1, 1]);
    disposeCheckpoint(back);
    disposeCheckpoint(ckpt);
  });

  it('overwriting keeps one complete checkpoint', async () => {
    const dir = path.join(root, 'best');
    const a = sample();
    await saveCheckpoint(dir, a);
    const b = sample();
    b.training = { epochs: 9 };
    await saveCheckpoint(dir, b);
    expect((await loadCheckpoint(dir)).training).toEqual({ epochs: 9 });
    expect((await fs.readdir(root)).sort()).toEqual(['best']);
    disposeCheckpoint(a);
    disposeCheckpoint(b);
  });

  it('rejects a corrupted, truncated or foreign checkpoint with the file named', async () => {
    const dir = path.join(root, 'c');
    const ckpt = sample();
    await saveCheckpoint(dir, ckpt);
    disposeCheckpoint(ckpt);
    const bin = path.join(dir, 'weights.bin');
    const bytes = await fs.readFile(bin);
    bytes[5] = bytes[5]! ^ 0xff;
    await fs.writeFile(bin, bytes);
    await expect(loadCheckpoint(dir)).rejects.toThrow(`${bin}: corrupt: checksum does not match model.json`);
    await fs.writeFile(bin, bytes.subarray(0, 8));
    await expect(loadCheckpoint(dir)).rejects.toThrow(`${bin}: truncated or padded: 8 bytes`);
    const modelFile = path.join(dir, 'model.json');
    await fs.writeFile(modelFile, '{"format": "something-else"}');
    await expect(loadCheckpoint(dir)).rejects.toThrow(`${modelFile}: not a captioner checkpoint`);
    await fs.writeFile(modelFile, '{"format": "attend-caption/checkpoint", "version": 99}');
    await expect(loadCheckpoint(dir)).rejects.toThrow(/version 99, this build reads 1/);
    await fs.writeFile(modelFile, '{not json');
    await expect(loadCheckpoint(dir)).rejects.toThrow(`${modelFile}: corrupt model description (not JSON)`);
    await expect(loadCheckpoint(path.join(root, 'nope'))).rejects.toThrow(/nope: no such checkpoint folder/);
  });
});
