/**
 * The detector's shared pass (src/tagger/shared-pass.ts, detector.ts): when a captioner's encoder is the
 * detector's own trunk, the detector's whole-photo view reads the annotation vectors instead of running
 * the trunk again. Checked on the real networks the repository holds: the COCO-detection MobileNet the
 * encoder study converted (data/encoders/mobilenet_v1_1.0_coco, to Conv2d_11) and the shipped
 * model's detector (checkpoints/everyday/detector, the same trunk plus SSD's first class head).
 * - it is found only when layer, weights, resize policy and a whole-photo view all match;
 * - the shared view's scores equal the view run on the photos, on real photos' pixels.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { readArtifacts } from '../src/encoder/artifacts.js';
import { cutAtLayer } from '../src/encoder/cut-layers.js';
import { hashWeights } from '../src/encoder/fingerprint.js';
import { loadLayersNetwork } from '../src/encoder/layers-network.js';
import { modelFilesAt } from '../src/encoder/model-files-at.js';
import { SSD_CLASS_HEAD } from '../src/encoder/npy/mobilenet-plan.js';
import { DetectorTagger, type DetectorView } from '../src/tagger/detector.js';
import { sharedPassFor } from '../src/tagger/shared-pass.js';
import { mulberry32 } from '../src/util/random.js';

const ENCODER_DIR = 'data/encoders/mobilenet_v1_1.0_coco';
const DETECTOR_DIR = 'checkpoints/everyday/detector';
const LAYER = 'conv_pw_11_relu';
const SHIPPED_VIEWS: DetectorView[] = [
  { canvas: 160, size: 96 },
  { canvas: 224, size: 224 },
];

let trunkSha = '';
const idOf = (o: { layer?: string; input?: string; sha?: string } = {}) =>
  `mobilenet_v1_1.0_coco/${o.layer ?? LAYER}/14x14x512/${o.input ?? '224px-squash'}/sha256:${o.sha ?? trunkSha}`;

beforeAll(async () => {
  const location = `${ENCODER_DIR}/model.json`;
  const artifacts = await readArtifacts(modelFilesAt(ENCODER_DIR), { select: (json) => cutAtLayer(json, LAYER, location) });
  trunkSha = hashWeights(artifacts); // how the encoder fingerprints itself (layers-network.ts)
});

describe('finding the shared pass', () => {
  it('finds it for the encoder that is the detector trunk: the whole-photo view, its grid and SSD class head', async () => {
    const shared = await sharedPassFor(modelFilesAt(DETECTOR_DIR), SHIPPED_VIEWS, idOf());
    expect(shared).toBeDefined();
    expect(shared!.view).toBe(1);
    expect(shared!.grid).toEqual([14, 14]);
    expect(shared!.head.kernel.shape).toEqual([1, 1, 512, 273]);
    expect(shared!.head.bias.shape).toEqual([273]);
    tf.dispose([shared!.head.kernel, shared!.head.bias]);
  });

  const flipped = () => (trunkSha[0] === '0' ? '1' : '0') + trunkSha.slice(1);
  const cases: [string, () => string, DetectorView[]][] = [
    ['another layer (the shipped 7×7 encoder reads conv_pw_12_relu)', () => idOf({ layer: 'conv_pw_12_relu' }), SHIPPED_VIEWS],
    ['other weights (one hex digit off)', () => idOf({ sha: flipped() }), SHIPPED_VIEWS],
    ['a centre-cropping encoder', () => idOf({ input: '224px-center-crop' }), SHIPPED_VIEWS],
    ['another input size', () => idOf({ input: '192px-squash' }), SHIPPED_VIEWS],
    ['no view of the whole photo at the input size', () => idOf(), [{ canvas: 224, size: 160 }]],
  ];
  it.each(cases)('shares nothing with %s', async (_, id, views) => {
    expect(await sharedPassFor(modelFilesAt(DETECTOR_DIR), views, id())).toBeUndefined();
  });
});

describe('the shared view', () => {
  it("scores as the view run on the photos, when the features are the trunk's output on them", async () => {
    // A 64 px encoder input keeps it quick: the trunk gives a 4×4 grid; the view {64, 64} is the whole photo.
    const shared = await sharedPassFor(modelFilesAt(DETECTOR_DIR), [{ canvas: 64, size: 64 }], idOf({ input: '64px-squash' }));
    expect(shared).toBeDefined();
    const detector = new DetectorTagger(await loadLayersNetwork(modelFilesAt(DETECTOR_DIR), SSD_CLASS_HEAD), [{ canvas: 64, size: 64 }], {
      ...shared!,
      grid: [4, 4],
    });
    const trunk = await loadLayersNetwork(modelFilesAt(ENCODER_DIR), LAYER);
    const random = mulberry32(7);
    // Photo-like pixels: smooth gradients plus noise, 0..255.
    const pixels = Float32Array.from({ length: 3 * 64 * 64 * 3 }, (_, i) => {
      const x = (i / 3) % 64;
      return Math.min(255, Math.max(0, 4 * x + 60 * random() + (i % 3) * 30));
    });
    const photos = tf.tensor4d(pixels, [3, 64, 64, 3]);
    const features = tf.tidy(() => tf.reshape(trunk.run(tf.sub(tf.div(photos, 127.5), 1) as tf.Tensor4D), [3, 16, 512])) as tf.Tensor3D;
    const fromPhotos = detector.scores(photos);
    const fromFeatures = detector.scores(photos, features);
    const a = fromPhotos.arraySync() as number[][];
    const b = fromFeatures.arraySync() as number[][];
    expect(a.flat().some((x) => x > 0.01)).toBe(true); // some class is scored at all
    for (let i = 0; i < a.length; i++) for (let c = 0; c < a[i]!.length; c++) expect(b[i]![c]).toBeCloseTo(a[i]![c]!, 4);
    // The features really are what the shared view reads: other features, other scores.
    const shuffled = tf.reverse(features, 0) as tf.Tensor3D;
    const other = detector.scores(photos, shuffled).arraySync() as number[][];
    expect(other[0]).not.toEqual(b[0]);
    tf.dispose([photos, features, shuffled, fromPhotos, fromFeatures]);
    detector.dispose();
    trunk.dispose();
  });
});
