/**
 * What every dataset loader shares (JSONL, Flickr, Karpathy, COCO): the summary it returns, the list of
 * problems it skipped, and the input helpers that make "skip and report, never crash" easy — bytes
 * decoded line by line so one bad UTF-8 line costs one line, JSON that remembers whether its bytes
 * were valid UTF-8, and image existence from one `readdir` per folder.
 */
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { CaptionDataset, Split } from './dataset.js';
import { tokenize } from './tokenize.js';
import { FileInputError } from '../util/user-error.js';
import { readBytesInput } from './read-input.js';

export interface LoadProblem {
  /** 1-based line number, for line formats (JSONL, Flickr caption files). */
  line?: number;
  /** For JSON formats: the entry, e.g. `images[12]`, `images[12].sentences[3]`, `annotations[40]`. */
  entry?: string;
  reason: string;
}

export interface DatasetLoadSummary {
  file: string;
  /**
   * Records read: non-blank lines (JSONL, Flickr), `images[]` entries (Karpathy), `annotations[]`
   * entries (COCO).
   */
  lines: number;
  /** Images loaded. */
  loaded: number;
  /** Records dropped for a problem (a line, an entry, one caption of an entry): all are counted. */
  skipped: number;
  /** The first `maxProblems` problems, in file order. */
  problems: LoadProblem[];
  perSplit: Record<Split, number>;
  /** Images left out on purpose, not errors: e.g. Flickr8k's 91 images that are in no split file. */
  unsplit?: number;
  /** Notes about the whole dataset, e.g. "no split files: every image is 'train'". */
  warnings?: string[];
}

export interface DatasetLoadResult {
  dataset: CaptionDataset;
  summary: DatasetLoadSummary;
}

/** Counts every problem, keeps the first `max`. */
export class ProblemLog {
  count = 0;
  readonly listed: LoadProblem[] = [];
  constructor(private readonly max = 100) {}

  add(problem: LoadProblem): void {
    this.count += 1;
    if (this.listed.length < this.max) this.listed.push(problem);
  }
}

export function countPerSplit(dataset: CaptionDataset): Record<Split, number> {
  const perSplit: Record<Split, number> = { train: 0, val: 0, test: 0 };
  for (const img of dataset.images) perSplit[img.split] += 1;
  return perSplit;
}

/** A short human-readable report: counts per split, the first few problems, then left-out images and warnings. */
export function formatLoadSummary(summary: DatasetLoadSummary, maxListed = 5): string {
  const { perSplit: s } = summary;
  let out = `${summary.file}: ${summary.loaded} images (train ${s.train}, val ${s.val}, test ${s.test})`;
  if (summary.skipped > 0) {
    const unit = summary.problems[0]?.entry !== undefined ? 'entr' : 'line';
    const plural = unit === 'entr' ? (summary.skipped === 1 ? 'y' : 'ies') : summary.skipped === 1 ? '' : 's';
    out += `; skipped ${summary.skipped} bad ${unit}${plural}`;
    for (const p of summary.problems.slice(0, maxListed)) {
      out += `\n  ${p.line !== undefined ? `line ${p.line}` : (p.entry ?? '?')}: ${p.reason}`;
    }
    if (summary.skipped > maxListed) out += `\n  … and ${summary.skipped - maxListed} more`;
  }
  if (summary.unsplit) out += `\n  ${summary.unsplit} image${summary.unsplit === 1 ? ' is' : 's are'} in no split: left out`;
  for (const w of summary.warnings ?? []) out += `\n  warning: ${w}`;
  return out;
}

/**
 * Whether `tokenize(caption)` has at least one word. Any ASCII letter or digit is a word, so the full
 * tokenizer (the slow part of loading 40k captions) only runs for captions without one.
 */
export function hasWords(caption: string): boolean {
  return /[a-z0-9]/i.test(caption) || tokenize(caption).length > 0;
}

// ---- Input helpers ----------------------------------------------------------------------------

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The lines of a UTF-8 text (`\n` or `\r\n`, leading byte-order mark dropped); a line that is not
 * valid UTF-8 is `undefined`, so the caller can report it and go on. One decode for a clean file.
 */
export function decodeLines(bytes: Uint8Array): Array<string | undefined> {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset + bom, bytes.length - bom).toString('utf8').split(/\r?\n/);
  // Some line is not UTF-8: decode line by line.
  const lines: Array<string | undefined> = [];
  let start = bom;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const stop = end > start && bytes[end - 1] === 0x0d ? end - 1 : end;
    try {
      lines.push(fatalUtf8.decode(bytes.subarray(start, stop)));
    } catch {
      lines.push(undefined);
    }
    start = end + 1;
  }
  return lines;
}

export interface JsonInput {
  value: unknown;
  /** The file had invalid UTF-8 bytes: they became U+FFFD, and strings holding one should be skipped. */
  invalidUtf8: boolean;
}

/** Reads and parses a JSON file; unreadable or invalid JSON is a FileInputError naming the file. */
export async function readJsonInput(file: string): Promise<JsonInput> {
  const bytes = await readBytesInput(file);
  const invalidUtf8 = !isUtf8(bytes);
  const raw = bytes.toString('utf8'); // invalid bytes become U+FFFD
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  try {
    return { value: JSON.parse(text) as unknown, invalidUtf8 };
  } catch (err) {
    throw new FileInputError(file, `not valid JSON (${(err as Error).message})`);
  }
}

export async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await fs.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Which image files exist below a folder, from one `readdir` per folder (a `stat` per image is far too
 * slow for 100k images). Paths are relative to `root`, optionally in subfolders (`val2014/x.jpg`).
 */
export class ImageFiles {
  private constructor(
    readonly root: string,
    private readonly names: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  /** Lists `root` (a FileInputError if it cannot be listed) and each subfolder (missing ones are empty). */
  static async list(root: string, subfolders: Iterable<string> = []): Promise<ImageFiles> {
    const names = new Map<string, ReadonlySet<string>>();
    const read = async (dir: string): Promise<Set<string>> => {
      const entries = await fs.readdir(path.join(root, dir), { withFileTypes: true });
      return new Set(entries.filter((e) => !e.isDirectory()).map((e) => e.name));
    };
    try {
      names.set('.', await read('.'));
    } catch {
      throw new FileInputError(root, 'cannot list this image folder (pass the folder of the images)');
    }
    for (const sub of new Set([...subfolders].map((s) => path.normalize(s)))) {
      if (names.has(sub)) continue;
      names.set(sub, await read(sub).catch(() => new Set<string>()));
    }
    return new ImageFiles(root, names);
  }

  /** Whether `relative` (a file name, or `subfolder/name` of a listed subfolder) exists. */
  has(relative: string): boolean {
    const rel = path.normalize(relative);
    return this.names.get(path.dirname(rel))?.has(path.basename(rel)) ?? false;
  }
}
