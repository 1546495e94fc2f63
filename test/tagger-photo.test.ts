/**
 * A tagger that looks at the photo (tagger.json version 2: the SSD detector in detector/, the ImageNet
 * classifier in imagenet/, and the fusion), inside a checkpoint, through the library: its scores are
 * the fusion's formula over what each network says on its own, the real networks find the motorcycle
 * in the README's photo, the caption names it, and a tagger.json naming a missing network is a
 * one-line error naming the file.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../src/api/node.js';
import { selectBackend } from '../src/backend/select.js';
import { folderFiles } from '../src/checkpoint/checkpoint.js';
import { imagesToBatch } from '../src/encoder/preprocess.js';
import { COCO_CLASSES } from '../src/data/coco-classes.js';
import { prepareImage } from '../src/image/load.js';
import { encodeTagger, readTagger } from '../src/tagger/tagger-file.js';
import { UserError } from '../src/util/user-error.js';
import { giveTagger } from './tagged-checkpoint.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PHOTO = path.join(repoRoot, 'docs', 'examples', 'photos', 'motorcycle_left.png');
const NETWORKS = path.join(repoRoot, 'checkpoints', 'everyday'); // carries detector/ and imagenet/
const C = COCO_CLASSES.length;
const fusion = { caption: 0.5, detector: 1.2, imagenet: 0.7, bias: -0.3 };
const logit = (p: number) => Math.log(Math.min(Math.max(p, 1e-6), 1 - 1e-6) / (1 - Math.min(Math.max(p, 1e-6), 1 - 1e-6)));

describe('a checkpoint whose tagger looks at the photo', () => {
  let dir = '';
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tagger-photo-'));
    await fs.cp(path.join(repoRoot, 'checkpoints', 'flickr8k'), dir, { recursive: true });
    for (const net of ['detector', 'imagenet']) await fs.cp(path.join(NETWORKS, net), path.join(dir, net), { recursive: true });
    const shipped = JSON.parse(await fs.readFile(path.join(NETWORKS, 'tagger.json'), 'utf8')) as {
      photo: { detector: unknown; imagenet: unknown };
    };
    // A caption head that says "no" to everything (logit −2), so what the networks see decides.
    const tagger = encodeTagger({ kernel: tf.zeros([2048, C]) as tf.Tensor2D, bias: tf.fill([C], -2) as tf.Tensor1D }, { test: true }, {
      ...shipped.photo,
      fusion,
    } as Parameters<typeof encodeTagger>[2]);
    await giveTagger(dir, tagger, { threshold: 0.3, margin: 100 });
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it("scores each class by the fusion's formula over the networks' own scores", async () => {
    const tagger = (await readTagger(folderFiles(dir)))!;
    const photos = imagesToBatch([await prepareImage(PHOTO, { size: 224, policy: 'squash' })]); // [1, 224, 224, 3]
    const features = tf.zeros([1, 49, 1024]) as tf.Tensor3D;
    try {
      const det = tagger.photoTaggers!.detector!.scores(photos).arraySync()[0]!;
      const img = tagger.photoTaggers!.imagenet!.scores(photos).arraySync()[0]!;
      const fused = tagger.scores(features, photos).arraySync()[0]!;
      fused.forEach((s, c) =>
        expect(s).toBeCloseTo(
          1 / (1 + Math.exp(-(fusion.caption * -2 + fusion.detector * logit(det[c]!) + fusion.imagenet * logit(img[c]!) + fusion.bias))),
          4,
        ),
      );
      const motorcycle = COCO_CLASSES.findIndex((c) => c.name === 'motorcycle');
      expect(det[motorcycle]).toBeGreaterThan(0.5); // the detector alone finds it…
      expect(img[motorcycle]).toBeGreaterThan(0.5); // …and so does ImageNet (moped, motor scooter)
      expect(() => tagger.scores(features)).toThrow(/needs? the photos|pass them/);
    } finally {
      tf.dispose([photos, features]);
      tagger.dispose();
    }
  });

  it('the API tags the photo and the caption names the motorcycle', async () => {
    const captioner = await loadCaptioner({ checkpoint: dir });
    try {
      const [r] = await captioner.caption(PHOTO);
      expect(r!.tags![0]).toMatchObject({ cls: 'motorcycle', word: 'motorcycle' });
      expect(r!.text).toMatch(/\bmotorcycle|motorbike|moped|scooter\b/);
    } finally {
      captioner.dispose();
    }
  });

  it('a tagger.json that names a missing network, or holds null for one, is a one-line error naming the file', async () => {
    const broken = await fs.mkdtemp(path.join(os.tmpdir(), 'tagger-photo-broken-'));
    try {
      await fs.cp(dir, broken, { recursive: true });
      await fs.rm(path.join(broken, 'imagenet'), { recursive: true });
      const err = await readTagger(folderFiles(broken)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UserError);
      expect((err as Error).message).toContain(path.join(broken, 'imagenet', 'model.json'));
      expect((err as Error).message.split('\n')).toHaveLength(1);
      const json = JSON.parse(await fs.readFile(path.join(broken, 'tagger.json'), 'utf8')) as Record<string, unknown>;
      for (const photo of [null, { ...(json['photo'] as object), detector: null }]) {
        await fs.writeFile(path.join(broken, 'tagger.json'), JSON.stringify({ ...json, photo }));
        const e = await readTagger(folderFiles(broken)).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(UserError);
        expect((e as Error).message).toMatch(/tagger\.json.*photo(\.detector)? must be an object/);
      }
    } finally {
      await fs.rm(broken, { recursive: true, force: true });
    }
  });
});
