/**
 * A decoder checkpoint is a folder:
 *   model.json    — format version, model config, encoder fingerprint, tfjs weights manifest + checksum
 *   weights.bin   — the weights (float32, or float16 to halve the size)
 *   vocab.json    — the vocabulary
 *   training.json — training summary (optional)
 *   optimizer.json / optimizer.bin / train-state.json — only in checkpoints made for `--resume`
 * Saving builds a fresh folder beside the target and swaps it in, so a reader never sees a mix of two
 * checkpoints, and a kill at any instant leaves a complete one in place or recoverable (saveCheckpoint).
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { FileInputError } from '../util/user-error.js';
import { decodeBundle, encodeBundle, type TensorBundleManifest, type WeightStorage } from './tensor-bundle.js';

export const CHECKPOINT_FORMAT = 'attend-caption/checkpoint';
export const CHECKPOINT_VERSION = 1;

interface ModelJson extends TensorBundleManifest {
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

export interface ResumeState {
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
  resume?: ResumeState;
}

export interface SaveOptions {
  storage?: WeightStorage;
}

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new FileInputError(file, code === 'ENOENT' ? `missing ${what}` : `cannot read ${what} (${code})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new FileInputError(file, `corrupt ${what} (not JSON)`);
  }
}

const json = (value: unknown): string => `${JSON.stringify(value, null, 1)}\n`;

/** The two sidecar folders of a checkpoint swap: the new one being built, the old one moved away. */
const sidecars = (dir: string): { fresh: string; old: string } => {
  const parent = path.dirname(path.resolve(dir));
  const name = path.basename(dir);
  return { fresh: path.join(parent, `.${name}.new`), old: path.join(parent, `.${name}.old`) };
};

const isComplete = (dir: string): boolean => existsSync(path.join(dir, 'model.json')); // model.json is written last

/**
 * Puts back what a kill in the middle of a swap can leave, so that a complete checkpoint is at `dir`
 * whenever one existed: with `dir` gone, the new folder if it was complete, else the old one.
 */
export async function recoverCheckpoint(dir: string): Promise<void> {
  const { fresh, old } = sidecars(dir);
  if (!existsSync(dir)) {
    if (isComplete(fresh)) await fs.rename(fresh, dir);
    else if (isComplete(old)) await fs.rename(old, dir);
  }
  if (existsSync(dir)) {
    await fs.rm(fresh, { recursive: true, force: true });
    await fs.rm(old, { recursive: true, force: true });
  }
}

/** A test hook: CAPTION_TEST_KILL_AT=<point> kills the process there (fault injection for crash tests). */
export function killPoint(point: string): void {
  if (process.env['CAPTION_TEST_KILL_AT'] === point) process.kill(process.pid, 'SIGKILL');
}

/**
 * Writes a checkpoint folder so that at every instant a complete checkpoint is at `dir` or can be
 * recovered there (recoverCheckpoint, run by every load and save): the new folder is built beside it
 * (`.<name>.new`, model.json last), the old one is moved aside (`.<name>.old`), the new one moved in,
 * the old one deleted.
 */
export async function saveCheckpoint(dir: string, ckpt: Checkpoint, options: SaveOptions = {}): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(dir)), { recursive: true });
  await recoverCheckpoint(dir);
  const { fresh, old } = sidecars(dir);
  await fs.rm(fresh, { recursive: true, force: true });
  await fs.mkdir(fresh);
  try {
    const { manifest, data } = await encodeBundle(ckpt.weights, options.storage ?? 'float32', 'weights.bin');
    const model: ModelJson = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      encoder: ckpt.encoder,
      grid: ckpt.grid,
      config: ckpt.config,
      ...manifest,
    };
    await fs.writeFile(path.join(fresh, 'weights.bin'), data);
    await fs.writeFile(path.join(fresh, 'vocab.json'), json(ckpt.vocab));
    if (ckpt.training !== undefined) await fs.writeFile(path.join(fresh, 'training.json'), json(ckpt.training));
    if (ckpt.resume) {
      const opt = await encodeBundle(ckpt.resume.optimizer, 'float32', 'optimizer.bin');
      await fs.writeFile(path.join(fresh, 'optimizer.bin'), opt.data);
      await fs.writeFile(path.join(fresh, 'optimizer.json'), json(opt.manifest));
      await fs.writeFile(path.join(fresh, 'train-state.json'), json(ckpt.resume.state));
    }
    await fs.writeFile(path.join(fresh, 'model.json'), json(model)); // last: marks the folder complete
  } catch (err) {
    await fs.rm(fresh, { recursive: true, force: true });
    throw err;
  }
  killPoint('checkpoint:built');
  if (existsSync(dir)) await fs.rename(dir, old);
  killPoint('checkpoint:old-moved');
  await fs.rename(fresh, dir);
  killPoint('checkpoint:new-moved');
  await fs.rm(old, { recursive: true, force: true });
}

/** Reads and checks a checkpoint folder; every problem names the file at fault. */
export async function loadCheckpoint(dir: string, options: { withResume?: boolean } = {}): Promise<Checkpoint> {
  const modelFile = path.join(dir, 'model.json');
  await recoverCheckpoint(dir).catch(() => undefined); // a read-only folder is read as it is
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new FileInputError(dir, 'not a checkpoint folder');
  } catch (err) {
    if (err instanceof FileInputError) throw err;
    throw new FileInputError(dir, 'no such checkpoint folder');
  }
  const model = (await readJson(modelFile, 'model description')) as Partial<ModelJson>;
  if (model.format !== CHECKPOINT_FORMAT) throw new FileInputError(modelFile, 'not a captioner checkpoint');
  if (model.version !== CHECKPOINT_VERSION) {
    throw new FileInputError(modelFile, `checkpoint format version ${model.version}, this build reads ${CHECKPOINT_VERSION}`);
  }
  if (typeof model.encoder !== 'string' || model.config === undefined) throw new FileInputError(modelFile, 'missing encoder or config');
  const grid = model.grid;
  if (!grid || !Number.isInteger(grid.height) || !Number.isInteger(grid.width) || grid.height < 1 || grid.width < 1) {
    throw new FileInputError(modelFile, 'missing or bad attention grid');
  }
  const weights = await decodeBundle(dir, modelFile, model as ModelJson);
  const vocab = await readJson(path.join(dir, 'vocab.json'), 'vocabulary');
  const trainingFile = path.join(dir, 'training.json');
  const training = existsSync(trainingFile) ? await readJson(trainingFile, 'training summary') : undefined;
  const ckpt: Checkpoint = { encoder: model.encoder, grid, config: model.config, vocab, weights, training };
  if (options.withResume) {
    const optFile = path.join(dir, 'optimizer.json');
    const optManifest = (await readJson(optFile, 'optimizer state')) as TensorBundleManifest;
    const optimizer = await decodeBundle(dir, optFile, optManifest);
    const state = await readJson(path.join(dir, 'train-state.json'), 'training state');
    ckpt.resume = { optimizer, state };
  }
  return ckpt;
}

/** Disposes every tensor a loaded checkpoint holds. */
export function disposeCheckpoint(ckpt: Checkpoint): void {
  for (const t of ckpt.weights.values()) t.dispose();
  for (const t of ckpt.resume?.optimizer.values() ?? []) t.dispose();
}
