/**
 * `npm run ship-encoder`: a checkpoint gets its encoder's weights inside it, cut at the annotation
 * layer, with the exact fingerprint (so it captions with no download); `--dtype float16` halves them and,
 * being another encoder, must be asked for with `--rebind`, which binds the checkpoint to it.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { loadCheckpoint, disposeCheckpoint, saveCheckpoint } from '../src/checkpoint/checkpoint.js';
import { Vocabulary } from '../src/data/vocabulary.js';
import { createDecoder } from '../src/decoder/decoder.js';
import { encoderConfigOf } from '../src/encoder/fingerprint.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';
import { describeWithShared, sharedPath } from './shared.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function shipEncoder(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts', 'ship-encoder.ts'), ...args], {
    encoding: 'utf8',
    cwd: repoRoot,
    env: { ...process.env, CAPTION_BACKEND: 'wasm' },
    timeout: 120_000,
  });
  return { code: r.status, stderr: r.stderr };
}

describeWithShared('ship-encoder', () => {
  const weights = sharedPath('weights', 'mobilenet_v1_0.25_224');
  let dir: string;
  let fingerprint: string;

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ship-encoder-'));
    await selectBackend({ requested: 'wasm', log: () => {} });
    const encoder = await loadEncoder({ variant: 'mobilenet_v1_0.25', source: weights });
    fingerprint = encoder.fingerprint.id;
    const vocab = Vocabulary.build(['a red circle'], { minCount: 1 });
    const decoder = createDecoder({
      vocabSize: vocab.size,
      featureDim: encoder.depth,
      embedDim: 8,
      hiddenDim: 8,
      attentionDim: 4,
      seed: 1,
    });
    for (const name of ['f32', 'f16']) {
      await saveCheckpoint(path.join(dir, name), {
        encoder: fingerprint,
        grid: encoder.grid,
        config: decoder.config,
        vocab: vocab.toJSON(),
        weights: decoder.getWeights(),
      });
    }
    decoder.dispose();
    encoder.dispose();
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('float32: the shipped copy has the checkpoint’s exact fingerprint and only the weights up to the annotation layer', async () => {
    const r = shipEncoder(['--checkpoint', path.join(dir, 'f32'), '--from', weights]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fingerprint matches mobilenet_v1_0\.25\/conv_pw_11_relu\//);
    const shipped = await loadEncoder({ ...encoderConfigOf(fingerprint), source: path.join(dir, 'f32', 'encoder') });
    expect(shipped.fingerprint.id).toBe(fingerprint);
    shipped.dispose();
    const whole = (await fs.readdir(weights)).filter((f) => !f.endsWith('.json'));
    let wholeBytes = 0;
    for (const f of whole) wholeBytes += (await fs.stat(path.join(weights, f))).size;
    expect((await fs.stat(path.join(dir, 'f32', 'encoder', 'weights.bin'))).size).toBeLessThan(wholeBytes);
  });

  it('float16 needs --rebind (one line, exit 2); with it the weights halve and the checkpoint names the float16 encoder, whose features are float16-close', async () => {
    const refused = shipEncoder(['--checkpoint', path.join(dir, 'f16'), '--from', weights, '--dtype', 'float16']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/--dtype float16 makes another encoder .* add --rebind/);
    const r = shipEncoder(['--checkpoint', path.join(dir, 'f16'), '--from', weights, '--dtype', 'float16', '--rebind']);
    expect(r.code, r.stderr).toBe(0);
    const f32 = (await fs.stat(path.join(dir, 'f32', 'encoder', 'weights.bin'))).size;
    expect((await fs.stat(path.join(dir, 'f16', 'encoder', 'weights.bin'))).size).toBe(f32 / 2);
    const ckpt = await loadCheckpoint(path.join(dir, 'f16'));
    disposeCheckpoint(ckpt);
    expect(ckpt.encoder).not.toBe(fingerprint);
    expect(ckpt.encoder.split('/sha256:')[0]).toBe(fingerprint.split('/sha256:')[0]); // same variant, layer, grid, input
    const half = await loadEncoder({ ...encoderConfigOf(ckpt.encoder), source: path.join(dir, 'f16', 'encoder') });
    const full = await loadEncoder({ ...encoderConfigOf(fingerprint), source: weights });
    expect(half.fingerprint.id).toBe(ckpt.encoder);
    const photo = tf.randomUniform([1, 224, 224, 3], 0, 255, 'float32', 7) as tf.Tensor4D;
    const [a, b] = [half.encode(photo), full.encode(photo)];
    const rel = tf.tidy(() => tf.div(tf.max(tf.abs(tf.sub(a, b))), tf.max(tf.abs(b))).dataSync()[0]!);
    expect(rel).toBeGreaterThan(0); // another encoder…
    expect(rel).toBeLessThan(0.02); // …whose features differ by rounding only
    tf.dispose([photo, a, b]);
    half.dispose();
    full.dispose();
  });
});
