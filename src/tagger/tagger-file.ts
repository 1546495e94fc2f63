/**
 * The tagger inside a checkpoint: `tagger.json` (format, class names in column order, feature size,
 * how it was trained and how good it was on validation; version 2 adds the detector's views and the
 * ImageNet map and the fusion weights) and `tagger.bin` (kernel [F, C] then bias [C], float32
 * little-endian); the photo taggers' networks in `detector/` (tfjs layers) and `imagenet/` (tfjs
 * graph). Read through CheckpointFiles, so it loads from a folder or a URL alike.
 */
import * as tf from '../util/tf.js';
import type { CheckpointFiles } from '../checkpoint/read.js';
import { loadLayersNetwork } from '../encoder/layers-network.js';
import { SHIPPED_ENCODER_DIR, type ModelFiles } from '../encoder/model-files.js';
import { SSD_CLASS_HEAD } from '../encoder/npy/mobilenet-plan.js';
import { COCO_CLASSES } from '../data/coco-classes.js';
import { FileInputError } from '../util/user-error.js';
import { ANCHORS, DetectorTagger, SSD_CLASSES, type DetectorView } from './detector.js';
import { IMAGENET_CLASS_COUNT, loadImagenetTagger } from './imagenet.js';
import { sharedPassFor } from './shared-pass.js';
import { Tagger, type PhotoTaggers, type TagFusion, type TaggerWeights } from './tagger.js';

const TAGGER_FORMAT = 'attend-caption/tagger';
export const TAGGER_JSON = 'tagger.json';
export const TAGGER_BIN = 'tagger.bin';

/** The photo taggers' folders inside the checkpoint. */
export const DETECTOR_FOLDER = 'detector';
export const IMAGENET_FOLDER = 'imagenet';

export interface TaggerJson {
  format: typeof TAGGER_FORMAT;
  version: 1 | 2;
  classes: string[];
  featureSize: number;
  /** Version 2: the photo taggers (networks in detector/ and imagenet/) and how their scores join the caption head's. */
  photo?: { detector?: { views: DetectorView[] }; imagenet?: { classes: (string | null)[] }; fusion: TagFusion };
  /** What it was trained on and how it scored (for people; not read back). */
  training?: unknown;
}

/** The two files' contents for a tagger (with `detector`, the caller copies its network into detector/). */
export function encodeTagger(w: TaggerWeights, training: unknown, photo?: TaggerJson['photo']): { json: string; bin: Uint8Array } {
  const [F, C] = w.kernel.shape;
  const data = new Float32Array(F * C + C);
  data.set(w.kernel.dataSync(), 0);
  data.set(w.bias.dataSync(), F * C);
  const json: TaggerJson = {
    format: TAGGER_FORMAT,
    version: photo ? 2 : 1,
    classes: COCO_CLASSES.map((c) => c.name),
    featureSize: F,
    ...(photo ? { photo } : {}),
    training,
  };
  return { json: `${JSON.stringify(json, null, 1)}\n`, bin: new Uint8Array(data.buffer) };
}

/**
 * The checkpoint's tagger, or undefined when it has none. `encoderId`: the checkpoint's encoder; when
 * it is the detector's trunk, the detector's whole-photo view reads the annotation vectors (shared-pass.ts).
 */
export async function readTagger(files: CheckpointFiles, encoderId?: string): Promise<Tagger | undefined> {
  const text = await files.readText(TAGGER_JSON);
  if (text === undefined) return undefined;
  const where = files.location(TAGGER_JSON);
  let json: TaggerJson;
  try {
    json = JSON.parse(text) as TaggerJson;
  } catch {
    throw new FileInputError(where, 'is not valid JSON');
  }
  if (json.format !== TAGGER_FORMAT || !Array.isArray(json.classes) || !Number.isInteger(json.featureSize))
    throw new FileInputError(where, 'is not a tagger file');
  const classes = json.classes.map((name) => {
    const cls = COCO_CLASSES.find((c) => c.name === name);
    if (!cls) throw new FileInputError(where, `unknown class "${name}"`);
    return cls;
  });
  const bytes = await files.readBytes(TAGGER_BIN);
  const F = json.featureSize;
  const C = classes.length;
  if (!bytes || bytes.byteLength !== 4 * (F * C + C))
    throw new FileInputError(files.location(TAGGER_BIN), `expected ${4 * (F * C + C)} bytes for a ${F}×${C} tagger`);
  if (json.photo !== undefined && (typeof json.photo !== 'object' || json.photo === null))
    throw new FileInputError(where, 'photo must be an object');
  const photo = json.photo === undefined ? undefined : await readPhotoTaggers(files, json.photo, where, encoderId);
  const data = new Float32Array(bytes.slice().buffer);
  return new Tagger({ kernel: tf.tensor2d(data.subarray(0, F * C), [F, C]), bias: tf.tensor1d(data.subarray(F * C)) }, classes, photo);
}

const isNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

async function readPhotoTaggers(
  files: CheckpointFiles,
  photo: NonNullable<TaggerJson['photo']>,
  where: string,
  encoderId: string | undefined,
): Promise<PhotoTaggers> {
  const f = photo.fusion as Partial<TagFusion> | undefined;
  const ok =
    f &&
    isNumber(f.caption) &&
    isNumber(f.bias) &&
    (photo.detector === undefined || isNumber(f.detector)) &&
    (photo.imagenet === undefined || isNumber(f.imagenet));
  if (!ok) throw new FileInputError(where, 'photo.fusion must hold numbers caption, bias and one per photo tagger');
  const fusion = f as TagFusion;
  for (const k of ['detector', 'imagenet'] as const)
    if (photo[k] !== undefined && (typeof photo[k] !== 'object' || photo[k] === null))
      throw new FileInputError(where, `photo.${k} must be an object`);
  const detector = photo.detector === undefined ? undefined : await readDetector(files, photo.detector.views, where, encoderId);
  try {
    const classes = photo.imagenet?.classes;
    if (
      classes !== undefined &&
      (!Array.isArray(classes) ||
        classes.length !== IMAGENET_CLASS_COUNT ||
        !classes.every((c) => c === null || COCO_CLASSES.some((k) => k.name === c)))
    ) {
      throw new FileInputError(where, `photo.imagenet.classes must list ${IMAGENET_CLASS_COUNT} COCO class names or nulls`);
    }
    const imagenet = classes === undefined ? undefined : await loadImagenetTagger(modelFilesIn(files, IMAGENET_FOLDER), classes);
    return { fusion, ...(detector ? { detector } : {}), ...(imagenet ? { imagenet } : {}) };
  } catch (err) {
    detector?.dispose();
    throw err;
  }
}

/** A folder of the checkpoint's files as a tfjs model's files. */
function modelFilesIn(files: CheckpointFiles, folder: string): ModelFiles {
  const name = (rel: string) => `${folder}/${rel}`;
  return {
    modelJsonLocation: files.location(name('model.json')),
    readModelJson: async () => {
      const text = await files.readText(name('model.json'));
      if (text === undefined) throw new FileInputError(files.location(name('model.json')), 'missing (the tagger.json names this network)');
      return text;
    },
    readShard: async (rel) => {
      const bytes = await files.readBytes(name(rel));
      if (bytes === undefined) throw new FileInputError(files.location(name(rel)), 'missing');
      return bytes;
    },
    shardLocation: (rel) => files.location(name(rel)),
  };
}

async function readDetector(files: CheckpointFiles, views: unknown, where: string, encoderId: string | undefined): Promise<DetectorTagger> {
  const ok =
    Array.isArray(views) &&
    views.length > 0 &&
    views.every(
      (v: Partial<DetectorView>) =>
        Number.isInteger(v?.canvas) &&
        Number.isInteger(v?.size) &&
        v.size! > 0 &&
        v.size! <= v.canvas! &&
        (v.pool === undefined || (Number.isInteger(v.pool) && v.pool >= 1)),
    );
  if (!ok) throw new FileInputError(where, 'detector.views must be a list of {canvas, size[, pool]} with 0 < size ≤ canvas and pool ≥ 1');
  const network = await loadLayersNetwork(modelFilesIn(files, DETECTOR_FOLDER), SSD_CLASS_HEAD);
  // SSD's first class head: ANCHORS × 91 logits per cell; checked once here, not at caption time.
  const channels = tf.tidy(() => network.run(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D).shape[3]);
  if (channels !== ANCHORS * SSD_CLASSES) {
    network.dispose();
    throw new FileInputError(
      files.location(`${DETECTOR_FOLDER}/model.json`),
      `gives ${channels} channels per cell, expected SSD's class head (${ANCHORS} anchors × ${SSD_CLASSES} classes = ${ANCHORS * SSD_CLASSES})`,
    );
  }
  try {
    const shared =
      encoderId === undefined
        ? undefined
        : await sharedPassFor(
            modelFilesIn(files, DETECTOR_FOLDER),
            views as DetectorView[],
            encoderId,
            modelFilesIn(files, SHIPPED_ENCODER_DIR),
          );
    return new DetectorTagger(network, views as DetectorView[], shared);
  } catch (err) {
    network.dispose();
    throw err;
  }
}
