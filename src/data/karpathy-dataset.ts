/**
 * Karpathy's split files (`dataset_flickr8k.json`, `dataset_flickr30k.json`, `dataset_coco.json`):
 *   {"dataset": "coco", "images": [{"filepath"?: "val2014", "filename": "COCO_val2014_….jpg",
 *     "split": "train" | "val" | "test" | "restval", "sentences": [{"raw": "…", "tokens": […]}, …]}, …]}
 * `restval` (COCO's extra validation images that everyone trains on) becomes 'train'. A caption is the
 * sentence's `raw` text, else its `tokens` joined by spaces. The image is `<imageDir>/<filepath>/<filename>`.
 *
 * Image ids are file names, as for Flickr8k (the feature store keys images by them). COCO's file names
 * already carry their folder (`COCO_val2014_000000391895.jpg`) and COCO 2017's are image numbers, so
 * they never collide; for a JSON whose names repeat across `filepath` folders, pass `idFromPath` to use
 * `filepath/filename` instead. A bad entry or sentence is skipped and reported, never thrown.
 */
import * as path from 'node:path';
import type { CaptionedImage, Split } from './dataset.js';
import {
  ImageFiles,
  ProblemLog,
  countPerSplit,
  hasWords,
  isDirectory,
  readJsonInput,
  type DatasetLoadResult,
  type JsonInput,
} from './load-summary.js';
import { FileInputError } from '../util/user-error.js';

export interface KarpathyLoadOptions {
  /** Dataset name (default: the JSON's `dataset` field, else the file name). */
  name?: string;
  /** Folder the `filepath/filename`s are below (default: `images/` beside the JSON if it exists, else the JSON's folder). */
  imageDir?: string;
  /** Use `filepath/filename` as the image id instead of `filename`. */
  idFromPath?: boolean;
  /** Skip entries whose image file does not exist (default true; one `readdir` per folder). */
  checkImages?: boolean;
  /** How many problems the summary lists (all are counted; default 100). */
  maxProblems?: number;
}

const KARPATHY_SPLITS: Readonly<Record<string, Split>> = { train: 'train', restval: 'train', val: 'val', test: 'test' };

class EntryError extends Error {}

/** Whether a parsed JSON looks like a Karpathy split file (`images[].sentences`). */
export function isKarpathyJson(value: unknown): boolean {
  const images = (value as { images?: unknown } | null)?.images;
  return Array.isArray(images) && Array.isArray((images[0] as { sentences?: unknown } | undefined)?.sentences);
}

function imagesArray(json: JsonInput, file: string): unknown[] {
  const images = (json.value as { images?: unknown } | null)?.images;
  if (!Array.isArray(images)) throw new FileInputError(file, 'not a Karpathy split file (no "images" array)');
  return images;
}

interface Entry {
  filename: string;
  filepath: string;
  split: Split;
  sentences: unknown[];
}

function parseEntry(value: unknown, invalidUtf8: boolean): Entry {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryError('not an object');
  const obj = value as Record<string, unknown>;
  const { filename, split, sentences } = obj;
  const filepath = obj['filepath'] ?? '';
  if (typeof filename !== 'string' || filename.trim() === '') throw new EntryError('missing "filename"');
  if (typeof filepath !== 'string') throw new EntryError('"filepath" is not a string');
  if (invalidUtf8 && (filename + filepath).includes('\ufffd')) throw new EntryError('invalid UTF-8 bytes in the file name');
  const mapped = typeof split === 'string' ? KARPATHY_SPLITS[split] : undefined;
  if (!mapped) throw new EntryError(`"split" must be one of train, val, test, restval, got ${JSON.stringify(split)}`);
  if (!Array.isArray(sentences)) throw new EntryError('missing "sentences"');
  return { filename, filepath, split: mapped, sentences };
}

function parseSentence(value: unknown, invalidUtf8: boolean): string {
  const { raw, tokens } = (value ?? {}) as Record<string, unknown>;
  let caption: string;
  if (typeof raw === 'string' && raw.trim() !== '') caption = raw.trim();
  else if (Array.isArray(tokens) && tokens.every((t) => typeof t === 'string')) caption = tokens.join(' ');
  else throw new EntryError('no "raw" text or "tokens"');
  if (invalidUtf8 && caption.includes('\ufffd')) throw new EntryError('invalid UTF-8 bytes');
  if (!hasWords(caption)) throw new EntryError('empty caption');
  return caption;
}

async function defaultImageDir(file: string): Promise<string> {
  const dir = path.dirname(path.resolve(file));
  const images = path.join(dir, 'images');
  return (await isDirectory(images)) ? images : dir;
}

/** Builds the dataset from an already parsed Karpathy JSON (the dispatcher parses once to detect the format). */
export async function karpathyDatasetFrom(json: JsonInput, file: string, options: KarpathyLoadOptions = {}): Promise<DatasetLoadResult> {
  const entries = imagesArray(json, file);
  const imageDir = path.resolve(options.imageDir ?? (await defaultImageDir(file)));
  const log = new ProblemLog(options.maxProblems);
  const parsed: Array<{ at: string; entry: Entry; rel: string }> = [];
  entries.forEach((value, i) => {
    const at = `images[${i}]`;
    try {
      const entry = parseEntry(value, json.invalidUtf8);
      parsed.push({ at, entry, rel: path.join(entry.filepath, entry.filename) });
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      log.add({ entry: at, reason: err.message });
    }
  });

  const check = options.checkImages ?? true;
  const files = check ? await ImageFiles.list(imageDir, parsed.map((p) => p.entry.filepath).filter((p) => p !== '')) : undefined;
  const firstAt = new Map<string, string>();
  const images: CaptionedImage[] = [];
  for (const { at, entry, rel } of parsed) {
    const id = options.idFromPath ? rel.split(path.sep).join('/') : entry.filename;
    const first = firstAt.get(id);
    if (first !== undefined) {
      log.add({ entry: at, reason: `duplicate image id ${JSON.stringify(id)} (first in ${first})` });
      continue;
    }
    firstAt.set(id, at);
    if (files && !files.has(rel)) {
      log.add({ entry: at, reason: `image not found: ${path.join(imageDir, rel)}` });
      continue;
    }
    const captions: string[] = [];
    entry.sentences.forEach((s, j) => {
      try {
        captions.push(parseSentence(s, json.invalidUtf8));
      } catch (err) {
        if (!(err instanceof EntryError)) throw err;
        log.add({ entry: `${at}.sentences[${j}]`, reason: err.message });
      }
    });
    if (captions.length === 0) {
      log.add({ entry: at, reason: 'no captions' });
      continue;
    }
    images.push({ id, file: path.join(imageDir, rel), captions, split: entry.split });
  }

  const named = (json.value as { dataset?: unknown }).dataset;
  const name = options.name ?? (typeof named === 'string' && named !== '' ? named : path.basename(file, path.extname(file)));
  const dataset = { name, root: imageDir, images };
  return {
    dataset,
    summary: {
      file,
      lines: entries.length,
      loaded: images.length,
      skipped: log.count,
      problems: log.listed,
      perSplit: countPerSplit(dataset),
    },
  };
}

/** Loads a Karpathy split JSON; bad entries are skipped and listed in `summary`, never thrown. */
export async function loadKarpathyDataset(file: string, options: KarpathyLoadOptions = {}): Promise<DatasetLoadResult> {
  return karpathyDatasetFrom(await readJsonInput(file), file, options);
}

/**
 * Just the splits of a Karpathy JSON, file name → split (for Flickr30k, which has no split files).
 * Entries without a usable `filename`/`split` are left out and counted in `skipped`.
 */
export async function readKarpathySplits(file: string): Promise<{ splits: Map<string, Split>; skipped: number }> {
  const json = await readJsonInput(file);
  const splits = new Map<string, Split>();
  let skipped = 0;
  for (const value of imagesArray(json, file)) {
    const { filename, split } = (value ?? {}) as Record<string, unknown>;
    const mapped = typeof split === 'string' ? KARPATHY_SPLITS[split] : undefined;
    if (typeof filename === 'string' && filename !== '' && mapped && !splits.has(filename)) splits.set(filename, mapped);
    else skipped += 1;
  }
  return { splits, skipped };
}
