/**
 * Reading a checkpoint from anywhere (a folder in Node, a URL in a browser): the files come from a
 * `CheckpointFiles`, the checks are the same. Every problem names the file at fault.
 */
import type * as tf from '../util/tf.js';
import { FileInputError } from '../util/user-error.js';
import { DECODING_FILE, parseDecoding, type DecodingDefaults } from './decoding.js';
import { bundleFileName, decodeBundle, type TensorBundleManifest } from './tensor-bundle.js';

export const CHECKPOINT_FORMAT = 'attend-caption/checkpoint';
export const CHECKPOINT_VERSION = 1;

export interface ModelJson extends TensorBundleManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  /** Encoder fingerprint id: the decoder only runs on features from this exact encoder. */
  encoder: string;
  /** The annotation grid the decoder attends over (L = height·width). */
  grid: AttentionGridSize;
  config: unknown;
}

export interface AttentionGridSize {
  height: number;
  width: number;
}

interface ResumeState {
  optimizer: Map<string, tf.Tensor>;
  /** Epoch, step, RNG state, schedule state…: whatever the trainer needs, as JSON. */
  state: unknown;
}

export interface Checkpoint {
  encoder: string;
  grid: AttentionGridSize;
  config: unknown;
  vocab: unknown;
  weights: Map<string, tf.Tensor>;
  training?: unknown;
  /** decoding.json's defaults (set when read; saving never writes them: `evaluate --choose` does). */
  decoding?: DecodingDefaults;
  resume?: ResumeState;
}

/** Where a checkpoint's files come from. `undefined`: the file does not exist. */
export interface CheckpointFiles {
  /** The file's path or URL, for messages. */
  location(name: string): string;
  readText(name: string): Promise<string | undefined>;
  readBytes(name: string): Promise<Uint8Array | undefined>;
}

async function readJson(files: CheckpointFiles, name: string, what: string, optional = false): Promise<unknown> {
  const text = await files.readText(name);
  if (text === undefined) {
    if (optional) return undefined;
    throw new FileInputError(files.location(name), `missing ${what}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new FileInputError(files.location(name), `corrupt ${what} (not JSON)`);
  }
}

async function readBundle(files: CheckpointFiles, manifestName: string, manifest: TensorBundleManifest): Promise<Map<string, tf.Tensor>> {
  const manifestFile = files.location(manifestName);
  const bin = bundleFileName(manifest, manifestFile);
  const data = await files.readBytes(bin);
  if (data === undefined) throw new FileInputError(files.location(bin), 'missing');
  return decodeBundle(data, files.location(bin), manifestFile, manifest);
}

export async function readCheckpoint(files: CheckpointFiles, options: { withResume?: boolean } = {}): Promise<Checkpoint> {
  const modelFile = files.location('model.json');
  const model = (await readJson(files, 'model.json', 'model description')) as Partial<ModelJson> | null;
  if (model?.format !== CHECKPOINT_FORMAT) throw new FileInputError(modelFile, 'not a captioner checkpoint');
  if (model.version !== CHECKPOINT_VERSION) {
    throw new FileInputError(modelFile, `checkpoint format version ${model.version}, this build reads ${CHECKPOINT_VERSION}`);
  }
  if (typeof model.encoder !== 'string' || model.config === undefined) throw new FileInputError(modelFile, 'missing encoder or config');
  const grid = model.grid;
  if (!grid || !Number.isInteger(grid.height) || !Number.isInteger(grid.width) || grid.height < 1 || grid.width < 1) {
    throw new FileInputError(modelFile, 'missing or bad attention grid');
  }
  const weights = await readBundle(files, 'model.json', model as ModelJson);
  const ckpt: Checkpoint = { encoder: model.encoder, grid, config: model.config, vocab: undefined, weights };
  try {
    ckpt.vocab = await readJson(files, 'vocab.json', 'vocabulary');
    ckpt.training = await readJson(files, 'training.json', 'training summary', true);
    ckpt.decoding = parseDecoding(await readJson(files, DECODING_FILE, 'decoding defaults', true), files.location(DECODING_FILE));
    if (options.withResume) {
      const optManifest = (await readJson(files, 'optimizer.json', 'optimizer state')) as TensorBundleManifest;
      const optimizer = await readBundle(files, 'optimizer.json', optManifest);
      ckpt.resume = { optimizer, state: undefined };
      ckpt.resume.state = await readJson(files, 'train-state.json', 'training state');
    }
  } catch (err) {
    disposeCheckpoint(ckpt); // a bad later file must not leak the tensors already decoded
    throw err;
  }
  return ckpt;
}

/** Disposes every tensor a loaded checkpoint holds. */
export function disposeCheckpoint(ckpt: Checkpoint): void {
  for (const t of ckpt.weights.values()) t.dispose();
  for (const t of ckpt.resume?.optimizer.values() ?? []) t.dispose();
}
