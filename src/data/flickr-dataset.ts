/**
 * Flickr8k / Flickr30k as distributed: a caption file (`Flickr8k.token.txt`, `results_20130124.token`),
 *   1000268201_693b08cb0e.jpg#0<TAB>A child in a pink dress is climbing up a set of stairs …
 * split lists with one image name a line (`Flickr_8k.trainImages.txt`, `…devImages.txt` → 'val',
 * `…testImages.txt`) and a folder of photos. Give the caption file or the folder holding it.
 *
 * Flickr30k has no split files: pass `karpathySplits` (`dataset_flickr30k.json`), or every image is
 * 'train' and the summary says so. Images that are in no split list (Flickr8k has 91) are left out and
 * counted in `summary.unsplit`: not an error. Image ids are file names (`1000268201_693b08cb0e.jpg`),
 * the keys the feature store uses.
 *
 * A bad line is skipped and reported with its number, never thrown: no tab, no `#N`, an empty caption,
 * a caption number repeated for an image, invalid UTF-8 bytes, or an image that does not exist (the real
 * Flickr8k file names `2258277193_586949ec62.jpg.1`). Existence comes from one `readdir` of the folder.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CaptionedImage, Split } from './dataset.js';
import { readKarpathySplits } from './karpathy-dataset.js';
import {
  ImageFiles,
  ProblemLog,
  countPerSplit,
  hasWords,
  decodeLines,
  isDirectory,
  type DatasetLoadResult,
} from './load-summary.js';
import { readBytesInput } from './read-input.js';
import { FileInputError } from '../util/user-error.js';

export interface FlickrLoadOptions {
  /** Dataset name (default: the name of the folder holding the caption file). */
  name?: string;
  /**
   * Folder of the photos (default: the first of `images/`, `Images/`, `Flicker8k_Dataset/`,
   * `Flickr8k_Dataset/`, `flickr30k-images/` beside the caption file, or one folder up).
   */
  imageDir?: string;
  /** Split lists (default: `*trainImages.txt`, `*devImages.txt` or `*valImages.txt`, `*testImages.txt` beside the caption file). */
  splitFiles?: Partial<Record<Split, string>>;
  /** A Karpathy split JSON whose `images[].filename/split` give the splits (Flickr30k has no split files). */
  karpathySplits?: string;
  /** Skip lines whose image file does not exist (default true). */
  checkImages?: boolean;
  /** How many problems the summary lists (all are counted; default 100). */
  maxProblems?: number;
}

const CAPTION_FILE_NAMES = ['Flickr8k.token.txt', 'results_20130124.token', 'results.token'];
const IMAGE_DIR_NAMES = ['images', 'Images', 'Flicker8k_Dataset', 'Flickr8k_Dataset', 'flickr30k-images'];
const SPLIT_FILE = /(train|dev|val|test)Images\.txt$/i;
const SPLIT_OF_WORD: Readonly<Record<string, Split>> = { train: 'train', dev: 'val', val: 'val', test: 'test' };
const LINE = /^(.+)#(\d+)$/;

/** Whether a file name is a Flickr caption file: `Flickr8k.token.txt`, `results_20130124.token`, `*.token.txt`. */
export function isFlickrCaptionFileName(file: string): boolean {
  const name = path.basename(file);
  return CAPTION_FILE_NAMES.includes(name) || (/\.token(\.txt)?$/i.test(name) && !/lemma/i.test(name));
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).sort();
  } catch {
    return [];
  }
}

/** The Flickr caption file inside a folder (the official names first), or undefined. */
export async function findFlickrCaptionFile(dir: string): Promise<string | undefined> {
  const names = await listDir(dir);
  const name = CAPTION_FILE_NAMES.find((n) => names.includes(n)) ?? names.find(isFlickrCaptionFileName);
  return name === undefined ? undefined : path.join(dir, name);
}

async function findImageDir(captionFile: string): Promise<string | undefined> {
  const dir = path.dirname(captionFile);
  for (const base of [dir, path.dirname(dir)]) {
    for (const name of IMAGE_DIR_NAMES) {
      if (await isDirectory(path.join(base, name))) return path.join(base, name);
    }
  }
  return undefined;
}

async function findSplitFiles(dir: string): Promise<Partial<Record<Split, string>>> {
  const found: Partial<Record<Split, string>> = {};
  for (const name of await listDir(dir)) {
    const word = SPLIT_FILE.exec(name)?.[1]?.toLowerCase();
    const split = word === undefined ? undefined : SPLIT_OF_WORD[word];
    if (split && found[split] === undefined) found[split] = path.join(dir, name);
  }
  return found;
}

interface Splits {
  /** Image name → split; undefined: every image is 'train'. */
  of: Map<string, Split> | undefined;
  warnings: string[];
}

async function readSplitFiles(files: Partial<Record<Split, string>>): Promise<Splits> {
  const of = new Map<string, Split>();
  let twice = 0;
  let badLines = 0;
  for (const [split, file] of Object.entries(files) as Array<[Split, string]>) {
    for (const line of decodeLines(await readBytesInput(file))) {
      if (line === undefined) badLines += 1;
      const name = line?.trim();
      if (!name) continue;
      if (of.has(name)) twice += 1;
      else of.set(name, split);
    }
  }
  const warnings: string[] = [];
  if (twice) warnings.push(`${twice} image${twice === 1 ? ' is' : 's are'} listed in two split files: kept the first`);
  if (badLines) warnings.push(`${badLines} line${badLines === 1 ? '' : 's'} of the split files skipped: invalid UTF-8 bytes`);
  return { of, warnings };
}

async function loadSplits(captionFile: string, options: FlickrLoadOptions): Promise<Splits> {
  if (options.splitFiles) return readSplitFiles(options.splitFiles);
  if (options.karpathySplits) {
    const { splits, skipped } = await readKarpathySplits(options.karpathySplits);
    const warnings = skipped ? [`${options.karpathySplits}: ${skipped} entries without a usable filename/split ignored`] : [];
    return { of: splits, warnings };
  }
  const found = await findSplitFiles(path.dirname(captionFile));
  if (Object.keys(found).length > 0) return readSplitFiles(found);
  return {
    of: undefined,
    warnings: [`no split files beside ${captionFile}: every image is 'train' (pass split files or a Karpathy split JSON)`],
  };
}

async function resolveCaptionFile(fileOrFolder: string): Promise<string> {
  if (!(await isDirectory(fileOrFolder))) return fileOrFolder;
  const found = await findFlickrCaptionFile(fileOrFolder);
  if (!found) throw new FileInputError(fileOrFolder, 'no Flickr caption file in this folder (Flickr8k.token.txt, results_20130124.token, *.token.txt)');
  return found;
}

/** Loads Flickr8k/Flickr30k from its caption file or folder; bad lines are skipped and listed in `summary`. */
export async function loadFlickrDataset(fileOrFolder: string, options: FlickrLoadOptions = {}): Promise<DatasetLoadResult> {
  const file = await resolveCaptionFile(fileOrFolder);
  const lines = decodeLines(await readBytesInput(file));
  const check = options.checkImages ?? true;
  const foundDir = options.imageDir ?? (await findImageDir(file));
  if (foundDir === undefined && check) {
    throw new FileInputError(file, `cannot find its image folder (looked for ${IMAGE_DIR_NAMES.join('/, ')}/ beside it and one folder up); pass the image folder`);
  }
  const imageDir = path.resolve(foundDir ?? path.join(path.dirname(file), 'images'));
  const files = check ? await ImageFiles.list(imageDir) : undefined;
  const splits = await loadSplits(file, options);

  const log = new ProblemLog(options.maxProblems);
  const byName = new Map<string, CaptionedImage>();
  const firstLineOf = new Map<string, number>();
  const named = new Set<string>();
  const unsplit = new Set<string>();
  let read = 0;
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw === undefined) {
      read += 1;
      log.add({ line, reason: 'invalid UTF-8 bytes' });
      return;
    }
    if (raw.trim() === '') return;
    read += 1;
    const tab = raw.indexOf('\t');
    if (tab < 0) return log.add({ line, reason: 'no tab between "IMAGE#N" and the caption' });
    const key = LINE.exec(raw.slice(0, tab).trim());
    if (!key) return log.add({ line, reason: 'no "#N" caption number after the image name' });
    const name = key[1]!;
    named.add(name);
    const caption = raw.slice(tab + 1).trim();
    if (!hasWords(caption)) return log.add({ line, reason: 'empty caption' });
    if (files && !files.has(name)) return log.add({ line, reason: `image not found: ${name}` });
    const captionKey = `${name}#${Number(key[2])}`;
    const first = firstLineOf.get(captionKey);
    if (first !== undefined) return log.add({ line, reason: `duplicate caption ${captionKey} (first on line ${first})` });
    firstLineOf.set(captionKey, line);
    const split = splits.of ? splits.of.get(name) : 'train';
    if (split === undefined) return void unsplit.add(name);
    const image = byName.get(name);
    if (image) image.captions.push(caption);
    else byName.set(name, { id: name, file: path.join(imageDir, name), captions: [caption], split });
  });

  const warnings = [...splits.warnings];
  if (splits.of) {
    const uncaptioned = [...splits.of.keys()].filter((n) => !named.has(n)).length;
    if (uncaptioned) warnings.push(`${uncaptioned} image${uncaptioned === 1 ? '' : 's'} in the split lists ${uncaptioned === 1 ? 'has' : 'have'} no caption line`);
  }
  const dataset = { name: options.name ?? path.basename(path.dirname(path.resolve(file))), root: imageDir, images: [...byName.values()] };
  return {
    dataset,
    summary: {
      file,
      lines: read,
      loaded: dataset.images.length,
      skipped: log.count,
      problems: log.listed,
      perSplit: countPerSplit(dataset),
      unsplit: unsplit.size,
      ...(warnings.length ? { warnings } : {}),
    },
  };
}
