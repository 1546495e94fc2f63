/**
 * A decoder checkpoint is a folder:
 *   model.json    — format version, model config, encoder fingerprint, tfjs weights manifest + checksum
 *   weights.bin   — the weights (float32, or float16 to halve the size)
 *   vocab.json    — the vocabulary
 *   training.json — training summary (optional)
 *   decoding.json — decoding defaults chosen on the validation split (optional; decoding.ts)
 *   optimizer.json / optimizer.bin / train-state.json — only in checkpoints made for `--resume`
 * Saving builds a fresh folder beside the target and swaps it in, so a reader never sees a mix of two
 * checkpoints, and a kill at any instant leaves a complete one in place or recoverable (saveCheckpoint).
 */
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileInputError } from '../util/user-error.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_VERSION, readCheckpoint, type Checkpoint, type CheckpointFiles, type ModelJson } from './read.js';
import { encodeBundle, type WeightStorage } from './tensor-bundle.js';

export { disposeCheckpoint, type Checkpoint, type CheckpointFiles } from './read.js';

export interface SaveOptions {
  storage?: WeightStorage;
  /** A folder of encoder weights (model.json + weights.bin) the checkpoint carries as `encoder/`. */
  encoderDir?: string | undefined;
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
 * The folder a reader should read for `dir`: `dir` itself, or, when a kill in the middle of a swap
 * left it missing, the new folder if it was complete, else the old one. Readers never move or delete
 * anything (a save may be running in another process); only `saveCheckpoint` repairs.
 */
function readableCheckpoint(dir: string): string {
  if (existsSync(dir)) return dir;
  const { fresh, old } = sidecars(dir);
  if (isComplete(fresh)) return fresh;
  if (isComplete(old)) return old;
  return dir;
}

/**
 * Puts back what a kill in the middle of a swap can leave, so that a complete checkpoint is at `dir`
 * whenever one existed: with `dir` gone, the new folder if it was complete, else the old one. Run by
 * the (single) writer before it saves.
 */
async function recoverCheckpoint(dir: string): Promise<void> {
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
 * recovered there (readers read the complete sidecar where it is; the next save repairs, recoverCheckpoint): the new folder is built beside it
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
    if (options.encoderDir !== undefined) await fs.cp(options.encoderDir, path.join(fresh, 'encoder'), { recursive: true });
    if (ckpt.resume) {
      const opt = await encodeBundle(ckpt.resume.optimizer, 'float32', 'optimizer.bin');
      await fs.writeFile(path.join(fresh, 'optimizer.bin'), opt.data);
      await fs.writeFile(path.join(fresh, 'optimizer.json'), json(opt.manifest));
      await fs.writeFile(path.join(fresh, 'train-state.json'), json(ckpt.resume.state));
    }
    // Last, and whole or not at all: model.json marks the folder complete.
    await fs.writeFile(path.join(fresh, 'model.json.tmp'), json(model));
    await fs.rename(path.join(fresh, 'model.json.tmp'), path.join(fresh, 'model.json'));
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

/** A checkpoint folder's files (after repairing what a kill mid-save can leave). */
export function folderFiles(dir: string): CheckpointFiles {
  const read = async <T>(name: string, how: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await how();
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT') return undefined;
      throw new FileInputError(path.join(dir, name), `cannot be read (${code})`);
    }
  };
  return {
    location: (name) => path.join(dir, name),
    readText: (name) => read(name, () => fs.readFile(path.join(dir, name), 'utf8')),
    readBytes: (name) => read(name, async () => new Uint8Array(await fs.readFile(path.join(dir, name)))),
  };
}

/** A checkpoint folder (or what a kill mid-save left of it, read where it is), checked to exist, as CheckpointFiles. */
export async function checkpointFolder(requested: string): Promise<CheckpointFiles> {
  const dir = readableCheckpoint(requested);
  try {
    if (!(await fs.stat(dir)).isDirectory()) throw new FileInputError(dir, 'not a checkpoint folder');
  } catch (err) {
    if (err instanceof FileInputError) throw err;
    throw new FileInputError(dir, 'no such checkpoint folder');
  }
  return folderFiles(dir);
}

/** Reads and checks a checkpoint folder; every problem names the file at fault. */
export async function loadCheckpoint(dir: string, options: { withResume?: boolean } = {}): Promise<Checkpoint> {
  return readCheckpoint(await checkpointFolder(dir), options);
}
