/**
 * COCO caption annotations (`annotations/captions_train2014.json`, `captions_val2017.json`, …):
 *   {"images": [{"id": 391895, "file_name": "COCO_val2014_000000391895.jpg", …}, …],
 *    "annotations": [{"id": 770337, "image_id": 391895, "caption": "A man with a red helmet …"}, …]}
 * One file is one split: 'train' for a file named *train*, 'val' for *val*, 'test' for *test*, or the
 * `split` option (for the usual Karpathy splits of COCO, load `dataset_coco.json` instead). Images are
 * `<imageDir>/<file_name>`; the folder defaults to `train2014/` (from the file's name) beside the
 * `annotations/` folder. Image ids are file names, the keys the feature store uses.
 *
 * A bad image entry or annotation is skipped and reported (`images[i]`, `annotations[j]`), never
 * thrown. The captions of an image skipped for a problem are dropped without a second report; images
 * left with no caption are counted in a warning.
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

export interface CocoLoadOptions {
  /** Dataset name (default: the file name without `.json`, e.g. `captions_train2014`). */
  name?: string;
  /**
   * Folder of the images (default: the first of `../<set>`, `<set>`, `../images/<set>`, `images/<set>`,
   * `images` relative to the JSON's folder, where `<set>` is `train2014`-style from the file name).
   */
  imageDir?: string;
  /** The split of every image (default: from the file name; 'train' with a warning if it has none). */
  split?: Split;
  /** Skip images whose file does not exist (default true; one `readdir` of the folder). */
  checkImages?: boolean;
  /** How many problems the summary lists (all are counted; default 100). */
  maxProblems?: number;
}

class EntryError extends Error {}

/** Whether a parsed JSON looks like COCO captions (`annotations[]`, `images[].file_name`). */
export function isCocoJson(value: unknown): boolean {
  const { images, annotations } = (value ?? {}) as { images?: unknown; annotations?: unknown };
  return Array.isArray(annotations) && Array.isArray(images) && (images.length === 0 || typeof (images[0] as { file_name?: unknown } | undefined)?.file_name === 'string');
}

function splitFromName(file: string): Split | undefined {
  const word = /(train|val|test)/i.exec(path.basename(file))?.[1]?.toLowerCase();
  return word === 'train' || word === 'val' || word === 'test' ? word : undefined;
}

async function guessImageDir(file: string): Promise<string | undefined> {
  const dir = path.dirname(path.resolve(file));
  const set = /(train|val|test)\d{4}/i.exec(path.basename(file))?.[0];
  const candidates = set
    ? [path.join(dir, '..', set), path.join(dir, set), path.join(dir, '..', 'images', set), path.join(dir, 'images', set)]
    : [];
  candidates.push(path.join(dir, 'images'));
  for (const c of candidates) if (await isDirectory(c)) return c;
  return undefined;
}

function parseImage(value: unknown, invalidUtf8: boolean): { id: string; fileName: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryError('not an object');
  const { id, file_name: fileName } = value as Record<string, unknown>;
  if ((typeof id !== 'number' && typeof id !== 'string') || id === '') throw new EntryError('missing "id"');
  if (typeof fileName !== 'string' || fileName.trim() === '') throw new EntryError('missing "file_name"');
  if (invalidUtf8 && fileName.includes('\ufffd')) throw new EntryError('invalid UTF-8 bytes in "file_name"');
  return { id: String(id), fileName };
}

function parseAnnotation(value: unknown, invalidUtf8: boolean): { id: string | undefined; imageId: string; caption: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EntryError('not an object');
  const { id, image_id: imageId, caption } = value as Record<string, unknown>;
  if (typeof imageId !== 'number' && typeof imageId !== 'string') throw new EntryError('missing "image_id"');
  if (typeof caption !== 'string') throw new EntryError('"caption" is not a string');
  if (invalidUtf8 && caption.includes('\ufffd')) throw new EntryError('invalid UTF-8 bytes');
  if (!hasWords(caption)) throw new EntryError('empty caption');
  return { id: typeof id === 'number' || typeof id === 'string' ? String(id) : undefined, imageId: String(imageId), caption: caption.trim() };
}

/** Builds the dataset from an already parsed COCO captions JSON (the dispatcher parses once to detect the format). */
export async function cocoDatasetFrom(json: JsonInput, file: string, options: CocoLoadOptions = {}): Promise<DatasetLoadResult> {
  const { images: imageEntries, annotations } = (json.value ?? {}) as { images?: unknown; annotations?: unknown };
  if (!Array.isArray(imageEntries)) throw new FileInputError(file, 'not a COCO captions file (no "images" array)');
  if (!Array.isArray(annotations)) throw new FileInputError(file, 'no "annotations" array: not a captions file (image_info files have no captions)');
  const check = options.checkImages ?? true;
  const foundDir = options.imageDir ?? (await guessImageDir(file));
  if (foundDir === undefined && check) throw new FileInputError(file, 'cannot find its image folder (e.g. ../train2014 beside annotations/); pass the image folder');
  const imageDir = path.resolve(foundDir ?? path.dirname(file));
  const files = check ? await ImageFiles.list(imageDir) : undefined;
  const warnings: string[] = [];
  const split = options.split ?? splitFromName(file);
  if (split === undefined) warnings.push(`the file name does not say train, val or test: every image is 'train' (pass the split)`);

  const log = new ProblemLog(options.maxProblems);
  const byId = new Map<string, CaptionedImage>();
  const firstAt = new Map<string, string>(); // `id 7` / `file_name "x.jpg"` → the entry that had it first
  const dropped = new Set<string>(); // ids of images skipped for a problem: their captions go silently
  imageEntries.forEach((value, i) => {
    const at = `images[${i}]`;
    let parsed: { id: string; fileName: string };
    try {
      parsed = parseImage(value, json.invalidUtf8);
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      return log.add({ entry: at, reason: err.message });
    }
    const { id, fileName } = parsed;
    const keys = [`id ${id}`, `file_name ${JSON.stringify(fileName)}`];
    const duplicate = keys.find((k) => firstAt.has(k));
    let reason: string | undefined;
    if (duplicate) reason = `duplicate image ${duplicate} (first in ${firstAt.get(duplicate)})`;
    else {
      for (const k of keys) firstAt.set(k, at);
      if (files && !files.has(fileName)) reason = `image not found: ${path.join(imageDir, fileName)}`;
    }
    if (reason !== undefined) {
      if (!byId.has(id)) dropped.add(id);
      return log.add({ entry: at, reason });
    }
    byId.set(id, { id: fileName, file: path.join(imageDir, fileName), captions: [], split: split ?? 'train' });
  });

  const annotationAt = new Map<string, number>();
  annotations.forEach((value, j) => {
    const at = `annotations[${j}]`;
    try {
      const { id, imageId, caption } = parseAnnotation(value, json.invalidUtf8);
      if (id !== undefined) {
        const first = annotationAt.get(id);
        if (first !== undefined) throw new EntryError(`duplicate annotation id ${id} (first in annotations[${first}])`);
        annotationAt.set(id, j);
      }
      const image = byId.get(imageId);
      if (image) image.captions.push(caption);
      else if (!dropped.has(imageId)) throw new EntryError(`no image with id ${imageId}`);
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      log.add({ entry: at, reason: err.message });
    }
  });

  const images = [...byId.values()].filter((im) => im.captions.length > 0);
  const uncaptioned = byId.size - images.length;
  if (uncaptioned) warnings.push(`${uncaptioned} image${uncaptioned === 1 ? ' has' : 's have'} no caption: left out`);
  const dataset = { name: options.name ?? path.basename(file, path.extname(file)), root: imageDir, images };
  return {
    dataset,
    summary: {
      file,
      lines: annotations.length,
      loaded: images.length,
      skipped: log.count,
      problems: log.listed,
      perSplit: countPerSplit(dataset),
      ...(warnings.length ? { warnings } : {}),
    },
  };
}

/** Loads a COCO captions JSON; bad entries are skipped and listed in `summary`, never thrown. */
export async function loadCocoDataset(file: string, options: CocoLoadOptions = {}): Promise<DatasetLoadResult> {
  return cocoDatasetFrom(await readJsonInput(file), file, options);
}
