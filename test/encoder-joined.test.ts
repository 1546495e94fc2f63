/**
 * A joined encoder (npm run join-encoders, src/encoder/join-networks.ts), built from the repository's
 * own two networks: the shipped conv_pw_12 encoder and the COCO-detection MobileNet. Its annotation
 * vectors must be the first network's beside the second's averaged over 2×2 cells, computed here
 * from the two encoders loaded on their own; its fingerprint must cover both networks' weights.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { imagesToBatch, loadEncoder } from '../src/encoder/index.js';
import { readArtifacts } from '../src/encoder/artifacts.js';
import { cutAtLayer } from '../src/encoder/cut-layers.js';
import { joinNetworks, JOINED_LAYER, SECOND_PREFIX } from '../src/encoder/join-networks.js';
import { modelFilesAt } from '../src/encoder/model-files-at.js';
import { variantNamed } from '../src/encoder/variants.js';
import { writeJoinedEncoder } from '../src/encoder/write-joined-encoder.js';
import { prepareImage } from '../src/image/load.js';
import { repoRoot } from './pack.js';

const VARIANT = 'mobilenet_v1_1.0_pw12+coco';
const FIRST = path.join(repoRoot, 'checkpoints', 'everyday', 'encoder');
const SECOND = path.join(repoRoot, 'data', 'encoders', 'mobilenet_v1_1.0_coco');
const PHOTOS = ['chelsea.png', 'motorcycle_left.png'].map((f) => path.join(repoRoot, 'docs', 'examples', 'photos', f));

let tmp = '';
beforeAll(async () => {
  await selectBackend();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'joined-'));
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('join-encoders', () => {
  it("gives the first network's vectors beside the second's averaged 2×2, per cell of the 7×7 grid", async () => {
    const out = path.join(tmp, 'joined');
    const { fingerprint } = await writeJoinedEncoder(VARIANT, FIRST, SECOND, out);
    expect(fingerprint.id).toMatch(/^mobilenet_v1_1\.0_pw12\+coco\/joined_features\/7x7x1536\/224px-squash\/sha256:[0-9a-f]{64}$/);
    const joined = await loadEncoder({ variant: VARIANT, source: out });
    const first = await loadEncoder({ variant: 'mobilenet_v1_1.0_pw12', source: FIRST });
    const second = await loadEncoder({ variant: 'mobilenet_v1_1.0_coco', source: SECOND });
    try {
      const photos = await Promise.all(PHOTOS.map((p) => prepareImage(p, joined.imageOptions)));
      const [got, want] = tf.tidy(() => {
        const batch = imagesToBatch(photos); // [2, 224, 224, 3]
        const a = first.encode(batch); // [2, 49, 1024]
        const fine = tf.reshape(second.encode(batch), [2, 14, 14, 512]) as tf.Tensor4D; // [2, 14, 14, 512]
        const b = tf.reshape(tf.avgPool(fine, 2, 2, 'valid'), [2, 49, 512]); // [2, 49, 512]
        return [joined.encode(batch), tf.concat([a, b], 2)]; // [2, 49, 1536] each
      });
      expect(got.shape).toEqual([2, 49, 1536]);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!);
      const scale = tf.tidy(() => tf.max(tf.abs(want)).dataSync()[0]!);
      expect(scale).toBeGreaterThan(1); // real activations, not zeros
      expect(diff).toBeLessThan(1e-4 * scale);
      tf.dispose([got, want]);
    } finally {
      [joined, first, second].forEach((e) => e.dispose());
    }
  });

  it("fingerprints both networks' weights: a change in the second changes the joined encoder's id", async () => {
    const a = await writeJoinedEncoder(VARIANT, FIRST, SECOND, path.join(tmp, 'a'));
    // The second network with one weight value changed.
    const copy = path.join(tmp, 'second-changed');
    await fs.cp(SECOND, copy, { recursive: true });
    const bin = await fs.readFile(path.join(copy, 'weights.bin'));
    const at = bin.length - 2;
    bin[at] = bin[at]! ^ 0x01;
    await fs.writeFile(path.join(copy, 'weights.bin'), bin);
    const b = await writeJoinedEncoder(VARIANT, FIRST, copy, path.join(tmp, 'b'));
    expect(b.fingerprint.id).not.toBe(a.fingerprint.id);
    expect(b.fingerprint.outputShape).toEqual(a.fingerprint.outputShape);
  });

  it('renames the second network apart from the first and refuses grids that do not nest', async () => {
    const cut = async (dir: string, variant: string) => {
      const v = variantNamed(variant);
      const files = modelFilesAt(dir);
      const artifacts = await readArtifacts(files, { select: (json) => cutAtLayer(json, v.layer, files.modelJsonLocation) });
      return { artifacts, layer: v.layer, grid: [v.grid.height, v.grid.width] as const };
    };
    const first = await cut(FIRST, 'mobilenet_v1_1.0_pw12');
    const second = await cut(SECOND, 'mobilenet_v1_1.0_coco');
    const joined = joinNetworks(first, second);
    const names = (joined.weightSpecs ?? []).map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.startsWith(SECOND_PREFIX))).toHaveLength(second.artifacts.weightSpecs!.length);
    const layers = (joined.modelTopology as { model_config: { config: { layers: { name: string; class_name: string }[] } } }).model_config
      .config.layers;
    expect(layers.filter((l) => l.class_name === 'InputLayer')).toHaveLength(1);
    expect(layers.at(-1)).toMatchObject({ name: JOINED_LAYER, class_name: 'Concatenate' });
    expect(() => joinNetworks(first, { ...second, grid: [10, 10] })).toThrow(/cannot pool a 10×10 grid onto 7×7/);
    await expect(writeJoinedEncoder('mobilenet_v1_1.0_pw12', FIRST, SECOND, path.join(tmp, 'c'))).rejects.toThrow(
      /is not a joined encoder/,
    );
  });
});
