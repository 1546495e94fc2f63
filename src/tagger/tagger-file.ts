/**
 * The tagger inside a checkpoint: `tagger.json` (format, class names in column order, feature size,
 * how it was trained and how good it was on validation) and `tagger.bin` (kernel [F, C] then bias [C],
 * float32 little-endian). Read through CheckpointFiles, so it loads from a folder or a URL alike.
 */
import * as tf from '@tensorflow/tfjs';
import type { CheckpointFiles } from '../checkpoint/read.js';
import { COCO_CLASSES } from '../eval/coco-classes.js';
import { FileInputError } from '../util/user-error.js';
import { Tagger, type TaggerWeights } from './tagger.js';

export const TAGGER_FORMAT = 'attend-caption/tagger';
export const TAGGER_JSON = 'tagger.json';
export const TAGGER_BIN = 'tagger.bin';

export interface TaggerJson {
  format: typeof TAGGER_FORMAT;
  version: 1;
  classes: string[];
  featureSize: number;
  /** What it was trained on and how it scored (for people; not read back). */
  training?: unknown;
}

/** The two files' contents for a tagger. */
export function encodeTagger(w: TaggerWeights, training: unknown): { json: string; bin: Uint8Array } {
  const [F, C] = w.kernel.shape;
  const data = new Float32Array(F * C + C);
  data.set(w.kernel.dataSync(), 0);
  data.set(w.bias.dataSync(), F * C);
  const json: TaggerJson = { format: TAGGER_FORMAT, version: 1, classes: COCO_CLASSES.map((c) => c.name), featureSize: F, training };
  return { json: `${JSON.stringify(json, null, 1)}\n`, bin: new Uint8Array(data.buffer) };
}

/** The checkpoint's tagger, or undefined when it has none. */
export async function readTagger(files: CheckpointFiles): Promise<Tagger | undefined> {
  const text = await files.readText(TAGGER_JSON);
  if (text === undefined) return undefined;
  const where = files.location(TAGGER_JSON);
  let json: TaggerJson;
  try {
    json = JSON.parse(text) as TaggerJson;
  } catch {
    throw new FileInputError(where, 'is not valid JSON');
  }
  if (json.format !== TAGGER_FORMAT || !Array.isArray(json.classes) || !Number.isInteger(json.featureSize)) throw new FileInputError(where, 'is not a tagger file');
  const classes = json.classes.map((name) => {
    const cls = COCO_CLASSES.find((c) => c.name === name);
    if (!cls) throw new FileInputError(where, `unknown class "${name}"`);
    return cls;
  });
  const bytes = await files.readBytes(TAGGER_BIN);
  const F = json.featureSize;
  const C = classes.length;
  if (!bytes || bytes.byteLength !== 4 * (F * C + C)) throw new FileInputError(files.location(TAGGER_BIN), `expected ${4 * (F * C + C)} bytes for a ${F}×${C} tagger`);
  const data = new Float32Array(bytes.slice().buffer);
  return new Tagger({ kernel: tf.tensor2d(data.subarray(0, F * C), [F, C]), bias: tf.tensor1d(data.subarray(F * C)) }, classes);
}
