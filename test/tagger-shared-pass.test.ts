/**
 * The detector's shared pass (src/tagger/shared-pass.ts, detector.ts): when a captioner's encoder is the
 * detector's own trunk, the detector's whole-photo view reads the annotation vectors instead of running
 * the trunk again. Checked on the real networks the repository holds: the COCO-detection MobileNet the
 * encoder study converted (data/encoders/mobilenet_v1_1.0_coco, to Conv2d_11, loaded as the encoder
 * `mobilenet_v1_1.0_coco`) and the shipped model's detector (checkpoints/everyday/detector, the same
 * trunk plus SSD's first class head):
 * - it is found only when layer, weights, variant, resize policy and a whole-photo view all match;
 * - a checkpoint on that encoder gets it when loaded, and the tagger hands the detector the features;
 * - the shared view's scores equal the view run on the photos;
 * - a joined encoder (the shipped conv_pw_12 beside this trunk, averaged 2×2) shares the pooled view.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkpointFolder } from '../src/checkpoint/checkpoint.js';
import { COCO_CLASSES } from '../src/data/coco-classes.js';
import type { Encoder } from '../src/encoder/encoder.js';
import { loadEncoderFrom } from '../src/encoder/load-encoder-from.js';
import { modelFilesAt } from '../src/encoder/model-files-at.js';
import { SSD_CLASS_HEAD } from '../src/encoder/npy/mobilenet-plan.js';
import { loadLayersNetwork } from '../src/encoder/layers-network.js';
import { CaptionModel } from '../src/model/caption-model.js';
import { DetectorTagger, type DetectorView } from '../src/tagger/detector.js';
import { sharedPassFor } from '../src/tagger/shared-pass.js';
import { mulberry32 } from '../src/util/random.js';
import { writeJoinedEncoder } from '../src/encoder/write-joined-encoder.js';

const JOINED = 'mobilenet_v1_1.0_pw12+coco';

const ENCODER_DIR = 'data/encoders/mobilenet_v1_1.0_coco';
const SHIPPED = 'checkpoints/everyday';
const DETECTOR_DIR = `${SHIPPED}/detector`;
const SHIPPED_VIEWS: DetectorView[] = [
  { canvas: 160, size: 96 },
  { canvas: 224, size: 224 },
];

let encoder: Encoder;
/** The encoder's own fingerprint id, with parts replaced. */
const idWith = (replace: (parts: string[]) => void): string => {
  const parts = encoder.fingerprint.id.split('/');
  replace(parts);
  return parts.join('/');
};

beforeAll(async () => {
  encoder = await loadEncoderFrom(modelFilesAt(ENCODER_DIR), { variant: 'mobilenet_v1_1.0_coco' });
});
afterAll(() => encoder.dispose());

describe('finding the shared pass', () => {
  it('finds it for the encoder that is the detector trunk: the whole-photo view and SSD class head', async () => {
    expect(encoder.fingerprint.id).toMatch(/^mobilenet_v1_1\.0_coco\/conv_pw_11_relu\/14x14x512\/224px-squash\/sha256:/);
    const shared = await sharedPassFor(modelFilesAt(DETECTOR_DIR), SHIPPED_VIEWS, encoder.fingerprint.id);
    expect(shared).toBeDefined();
    expect(shared!.view).toBe(1);
    expect(shared!.head.kernel.shape).toEqual([512, 273]);
    expect(shared!.head.bias.shape).toEqual([273]);
    tf.dispose([shared!.head.kernel, shared!.head.bias]);
  });

  const cases: [string, () => string, DetectorView[]][] = [
    ['another layer (the shipped 7×7 encoder reads conv_pw_12_relu)', () => idWith((p) => (p[1] = 'conv_pw_12_relu')), SHIPPED_VIEWS],
    ['other weights (one hex digit off)', () => idWith((p) => (p[4] = p[4]!.replace(/.$/, (c) => (c === '0' ? '1' : '0')))), SHIPPED_VIEWS],
    [
      'a variant that appends cell colours (D = 515)',
      () => idWith((p) => ((p[0] = 'mobilenet_v1_1.0+rgb'), (p[2] = '14x14x515'))),
      SHIPPED_VIEWS,
    ],
    ['a variant the package does not know', () => idWith((p) => (p[0] = 'my_mobilenet')), SHIPPED_VIEWS],
    ['a centre-cropping encoder', () => idWith((p) => (p[3] = '224px-center-crop')), SHIPPED_VIEWS],
    ['another input size', () => idWith((p) => (p[3] = '192px-squash')), SHIPPED_VIEWS],
    ['no view of the whole photo at the input size', () => encoder.fingerprint.id, [{ canvas: 224, size: 160 }]],
  ];
  it.each(cases)('shares nothing with %s', async (_, id, views) => {
    expect(await sharedPassFor(modelFilesAt(DETECTOR_DIR), views, id())).toBeUndefined();
  });
});

describe('loading and tagging', () => {
  let dir = '';
  beforeAll(async () => {
    // The shipped checkpoint, its encoder id swapped for the detector trunk's (the decoder is not run).
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shared-pass-'));
    await fs.cp(SHIPPED, dir, { recursive: true });
    const model = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as { encoder: string };
    await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify({ ...model, encoder: encoder.fingerprint.id }));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('a checkpoint on the trunk shares the pass when loaded, and its tagger hands the detector the features', async () => {
    const onTrunk = await CaptionModel.read(await checkpointFolder(dir), true);
    const detector = onTrunk.tagger!.photoTaggers!.detector!;
    expect(detector.shared?.view).toBe(1);
    const seen = vi.spyOn(detector, 'scores').mockImplementation((photos) => tf.zeros([photos.shape[0], 80]) as tf.Tensor2D);
    const features = tf.zeros([2, 49, 1024]) as tf.Tensor3D; // what the shipped caption head reads (the detector is stubbed)
    const photos = tf.zeros([2, 224, 224, 3]) as tf.Tensor4D;
    onTrunk.tagger!.tag(features, photos);
    expect(seen).toHaveBeenCalledWith(photos, features);
    tf.dispose([features, photos]);
    onTrunk.dispose();
  });
});

describe('the shared view', () => {
  it("scores as the view run on the photos, given the encoder's annotation vectors of them", async () => {
    const views: DetectorView[] = [{ canvas: 224, size: 224 }];
    const shared = await sharedPassFor(modelFilesAt(DETECTOR_DIR), views, encoder.fingerprint.id);
    const detector = new DetectorTagger(await loadLayersNetwork(modelFilesAt(DETECTOR_DIR), SSD_CLASS_HEAD), views, shared);
    const random = mulberry32(7);
    // Photo-like pixels: a gradient, noise and a bright square, 0..255.
    const pixels = Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => {
      const p = Math.floor(i / 3) % (224 * 224);
      const [y, x] = [Math.floor(p / 224), p % 224];
      const square = x > 60 && x < 150 && y > 80 && y < 170 ? 120 : 0;
      return Math.min(255, x + 40 * random() + square + (i % 3) * 20);
    });
    const photos = tf.tensor4d(pixels, [1, 224, 224, 3]);
    const features = encoder.encode(photos); // [1, 196, 512]
    const fromPhotos = detector.scores(photos);
    const fromFeatures = detector.scores(photos, features);
    const a = fromPhotos.arraySync() as number[][];
    const b = fromFeatures.arraySync() as number[][];
    expect(Math.max(...a.flat())).toBeGreaterThan(0.01); // some class is scored at all
    for (let i = 0; i < a.length; i++) for (let c = 0; c < a[i]!.length; c++) expect(b[i]![c]).toBeCloseTo(a[i]![c]!, 4);
    // The features really are what the shared view reads: other features (all zero: the head's bias alone), other scores.
    const blank = tf.zerosLike(features);
    const other = detector.scores(photos, blank);
    const bias = shared!.head.bias.arraySync();
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    // SSD column 18 (dog): its best anchor's bias, as the blank features must give.
    const expected = sigmoid(Math.max(...[0, 1, 2].map((k) => bias[k * 91 + 18]!)));
    const dog = COCO_CLASSES.findIndex((c) => c.id === 18);
    expect((other.arraySync() as number[][])[0]![dog]).toBeCloseTo(expected, 5);
    expect((other.arraySync() as number[][])[0]).not.toEqual(b[0]);
    tf.dispose([photos, features, blank, fromPhotos, fromFeatures, other]);
    detector.dispose();
  });
});

describe('a joined encoder whose second part is the detector trunk (join-networks.ts)', () => {
  const POOLED: DetectorView[] = [
    { canvas: 160, size: 96 },
    { canvas: 224, size: 224, pool: 2 },
  ];
  let tmp = '';
  let joinedId = '';
  let otherId = '';
  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'shared-joined-'));
    joinedId = (await writeJoinedEncoder(JOINED, `${SHIPPED}/encoder`, ENCODER_DIR, path.join(tmp, 'joined'))).fingerprint.id;
    // The same join with one weight of the trunk changed: not the detector's trunk.
    await fs.cp(ENCODER_DIR, path.join(tmp, 'trunk-changed'), { recursive: true });
    const bin = await fs.readFile(path.join(tmp, 'trunk-changed', 'weights.bin'));
    bin[10] = bin[10]! ^ 0x01;
    await fs.writeFile(path.join(tmp, 'trunk-changed', 'weights.bin'), bin);
    otherId = (await writeJoinedEncoder(JOINED, `${SHIPPED}/encoder`, path.join(tmp, 'trunk-changed'), path.join(tmp, 'other'))).fingerprint
      .id;
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));
  const files = (name: string) => modelFilesAt(path.join(tmp, name));

  it('shares the pooled whole-photo view: the head reads the last 512 of the 1,536 channels', async () => {
    const shared = await sharedPassFor(modelFilesAt(DETECTOR_DIR), POOLED, joinedId, files('joined'));
    expect(shared).toBeDefined();
    expect(shared!.view).toBe(1);
    expect(shared!.channels).toEqual([1024, 512]);
    expect(shared!.head.kernel.shape).toEqual([512, 273]);
    tf.dispose([shared!.head.kernel, shared!.head.bias]);
  });

  const none: [string, () => [DetectorView[], string, string | undefined]][] = [
    ['the whole-photo view without the pooling', () => [SHIPPED_VIEWS, joinedId, 'joined']],
    ["no copy of the encoder's weights to compare", () => [POOLED, joinedId, undefined]],
    ['a second part that is not the detector trunk (one weight changed)', () => [POOLED, otherId, 'other']],
    ['an encoder folder that is not the encoder the checkpoint names', () => [POOLED, joinedId, 'other']],
  ];
  it.each(none)('shares nothing with %s', async (_, args) => {
    const [views, id, folder] = args();
    expect(await sharedPassFor(modelFilesAt(DETECTOR_DIR), views, id, folder === undefined ? undefined : files(folder))).toBeUndefined();
  });

  it('the pooled view scores alike from the photos and from the joined annotation vectors', async () => {
    const views: DetectorView[] = [{ canvas: 224, size: 224, pool: 2 }];
    const shared = await sharedPassFor(modelFilesAt(DETECTOR_DIR), views, joinedId, files('joined'));
    const network = await loadLayersNetwork(modelFilesAt(DETECTOR_DIR), SSD_CLASS_HEAD);
    const detector = new DetectorTagger(network, views, shared);
    const unpooled = new DetectorTagger(network, [{ canvas: 224, size: 224 }]); // the same network, not disposed twice
    const joined = await loadEncoderFrom(files('joined'), { variant: JOINED });
    const random = mulberry32(11);
    const photos = tf.tensor4d(
      Float32Array.from({ length: 224 * 224 * 3 }, (_, i) => Math.min(255, ((i / 3) % 224) + 60 * random() + (i % 7) * 9)),
      [1, 224, 224, 3],
    );
    const features = joined.encode(photos); // [1, 49, 1536]
    const a = (detector.scores(photos).arraySync() as number[][])[0]!;
    const b = (detector.scores(photos, features).arraySync() as number[][])[0]!;
    const c = (unpooled.scores(photos).arraySync() as number[][])[0]!;
    for (let k = 0; k < 80; k++) expect(b[k]).toBeCloseTo(a[k]!, 4);
    // Pooling is part of the view: the unpooled view scores otherwise (a class's best cell is at least its best 2×2 mean).
    expect(c.some((v, k) => Math.abs(v - a[k]!) > 1e-3)).toBe(true);
    expect(c.every((v, k) => v >= a[k]! - 1e-6)).toBe(true);
    tf.dispose([photos, features]);
    [detector, joined].forEach((d) => d.dispose());
  });
});
