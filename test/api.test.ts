/**
 * The library API (`import { loadCaptioner } from 'attend-caption'`): the shipped model with its
 * shipped encoder (no download, no ../shared), every input kind giving the same caption for the same
 * photo, results in input order, overlays as PNG bytes, typed one-line errors, no tensor leak.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EncoderMismatchError, ImageInputError, loadCaptioner, UserError, type Captioner } from '../src/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const photo = (name: string) => path.join(repoRoot, 'docs', 'examples', 'photos', name);

describe('loadCaptioner', () => {
  let captioner: Captioner;
  beforeAll(async () => {
    delete process.env['CAPTION_MOBILENET'];
    captioner = await loadCaptioner({ backend: 'wasm', beamSize: 2 });
  });
  afterAll(() => captioner?.dispose());

  it('loads the shipped model (Flickr8k + COCO-1k, with its tagger) and its shipped encoder', () => {
    expect(captioner.info.checkpoint).toMatch(/checkpoints[/\\]everyday$/);
    expect(captioner.info.encoder).toMatch(/^mobilenet_v1_1\.0_pw12\/conv_pw_12_relu\/7x7x1024\//);
    expect(captioner.info).toMatchObject({ backend: 'wasm', beamSize: 2, maxLength: 20, tags: true });
  });

  it("decodes by default with the settings chosen on dev (the checkpoint's decoding.json); options override them", async () => {
    const chosen = JSON.parse(readFileSync(path.join(repoRoot, 'checkpoints', 'everyday', 'decoding.json'), 'utf8'));
    expect(chosen.chosenBy).toMatchObject({ metric: 'CIDEr-D', split: expect.stringMatching(/^val/) });
    const byDefault = await loadCaptioner({ backend: 'wasm' });
    expect(byDefault.info).toMatchObject({ beamSize: chosen.beamSize, lengthPenalty: chosen.lengthPenalty, context: chosen.context });
    byDefault.dispose();
    const told = await loadCaptioner({ backend: 'wasm', beamSize: 1, lengthPenalty: 0 });
    expect(told.info).toMatchObject({ beamSize: 1, lengthPenalty: 0 });
    told.dispose();
  });

  it('a path, its bytes and its pixels as a tensor give the same caption; results keep input order', async () => {
    const file = photo('horse.png');
    const bytes = new Uint8Array(readFileSync(file));
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const tensor = tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32');
    const results = await captioner.caption([file, photo('chelsea.png'), bytes, tensor]);
    tensor.dispose();
    expect(results).toHaveLength(4);
    expect(results[2]!.text).toBe(results[0]!.text);
    expect(results[3]!.text).toBe(results[0]!.text);
    expect(results[1]!.text).not.toBe(results[0]!.text);
    const [one] = await captioner.caption(file); // a single input, not an array
    expect(one!.text).toBe(results[0]!.text);
    for (const r of results) {
      expect(r.grid).toEqual({ height: 7, width: 7 });
      expect(r.text).not.toMatch(/<unk>/);
      for (const w of r.words) {
        expect(w.alpha).toBeInstanceOf(Float32Array);
        expect(w.alpha).toHaveLength(49);
        expect(w.alpha.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
        expect(w.beta).toBeGreaterThan(0);
        expect(w.logProb).toBeLessThanOrEqual(0);
      }
    }
  });

  it('overlay: PNG bytes at the photo’s size, different for different words; a bad word index is a UserError', async () => {
    const file = photo('motorcycle_left.png');
    const [result] = await captioner.caption(file);
    const a = await captioner.overlay(file, result!, { word: 0 });
    const b = await captioner.overlay(file, result!, { word: result!.words.length - 1 });
    const meta = await sharp(a).metadata();
    const original = await sharp(file).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', original.width, original.height]);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).not.toBe(0);
    await expect(captioner.overlay(file, result!, { word: 99 })).rejects.toThrow(UserError);
  });

  it('bad inputs are typed one-line errors naming the input', async () => {
    const err = await captioner.caption([new Uint8Array([1, 2, 3, 4])]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageInputError);
    expect(String((err as Error).message)).toMatch(/^input 1 \(4 bytes\): /);
    expect(String((err as Error).message)).not.toContain('\n');
    await expect(captioner.caption(['/no/such/photo.jpg'])).rejects.toThrow(/\/no\/such\/photo\.jpg: no such file/);
    const bad = tf.zeros([4, 4]) as unknown as tf.Tensor3D;
    await expect(captioner.caption([bad])).rejects.toThrow(/input 1: a tensor must be \[height, width, 3\]/);
    bad.dispose();
  });

  it('no tensor leak across calls', async () => {
    await captioner.caption([photo('astronaut.png')]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const [r] = await captioner.caption([photo('astronaut.png'), photo('chelsea.png')]);
      await captioner.overlay(photo('astronaut.png'), r!, { word: 1 });
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('weights of another encoder are refused (EncoderMismatchError), bad options are UserErrors', async () => {
    // The shipped encoder with one weight changed: the same network, other weights.
    const other = mkdtempSync(path.join(os.tmpdir(), 'other-encoder-'));
    cpSync(path.join(repoRoot, 'checkpoints', 'flickr8k', 'encoder'), other, { recursive: true });
    const bin = readFileSync(path.join(other, 'weights.bin'));
    bin[1000] = bin[1000]! ^ 0x40;
    writeFileSync(path.join(other, 'weights.bin'), bin);
    await expect(loadCaptioner({ backend: 'wasm', encoderWeights: other })).rejects.toThrow(EncoderMismatchError);
    rmSync(other, { recursive: true, force: true });
    await expect(
      loadCaptioner({ backend: 'wasm', encoderWeights: path.join(repoRoot, 'data', 'encoders', 'mobilenet_v1_1.0_coco') }),
    ).rejects.toThrow(/has no layer "conv_pw_12_relu"/);
    await expect(loadCaptioner({ beamSize: 0 })).rejects.toThrow(/beamSize must be a positive integer/);
    await expect(loadCaptioner({ checkpoint: '/no/such/ckpt' })).rejects.toThrow(UserError);
  });
});
