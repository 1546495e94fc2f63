/**
 * The simple dataset format: one JSON object per line,
 *   {"image": "images/a.png", "captions": ["a red circle"], "split": "train", "id"?: "a", "boxes"?: [[…]]}
 * `image` is relative to the JSONL file's folder (or absolute); `id` defaults to `image`; `boxes`, if
 * present, has one WordBox list per caption. Unknown fields are ignored. Blank lines are ignored.
 * A bad line (invalid JSON, missing or malformed field, empty caption, duplicate id, missing image) is
 * skipped and reported in the summary: loading never fails because of one line. Only an unreadable
 * file throws (FileInputError).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isSplit, SPLITS, type CaptionedImage, type Split, type WordBox } from './dataset.js';
import type { DatasetLoadResult, LoadProblem } from './load-summary.js';
import { readTextInput } from './read-input.js';
import { tokenize } from './tokenize.js';

export { formatLoadSummary,   } from './load-summary.js';

export interface JsonlLoadOptions {
  /** Dataset name (default: the file name without extension). */
  name?: string;
  /** Skip lines whose image file does not exist (default true; existence only, not decodability). */
  checkImages?: boolean;
  /** How many problems the summary lists (all are counted; default 100). */
  maxProblems?: number;
}

export type JsonlLoadResult = DatasetLoadResult;

class LineError extends Error {}

function requireField(obj: Record<string, unknown>, key: string): unknown {
  if (!(key in obj) || obj[key] === null) throw new LineError(`missing "${key}"`);
  return obj[key];
}

function parseCaptions(value: unknown): string[] {
  if (!Array.isArray(value)) throw new LineError('"captions" must be an array of strings');
  if (value.length === 0) throw new LineError('"captions" is empty');
  return value.map((c: unknown, i) => {
    if (typeof c !== 'string') throw new LineError(`"captions[${i}]" is not a string`);
    if (tokenize(c).length === 0) throw new LineError(`"captions[${i}]" has no words`);
    return c;
  });
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function parseWordBox(value: unknown, tokens: readonly string[], where: string): WordBox {
  if (typeof value !== 'object' || value === null) throw new LineError(`${where} is not an object`);
  const { wordIndex, word, box } = value as Record<string, unknown>;
  if (typeof wordIndex !== 'number' || !Number.isInteger(wordIndex) || wordIndex < 0 || wordIndex >= tokens.length) {
    throw new LineError(`${where}.wordIndex must be a word index of the caption (0–${tokens.length - 1})`);
  }
  if (typeof word !== 'string' || word !== tokens[wordIndex]) {
    throw new LineError(`${where}.word ${JSON.stringify(word)} is not word ${wordIndex} of the caption (${JSON.stringify(tokens[wordIndex])})`);
  }
  const b = (box ?? {}) as Record<string, unknown>;
  const { left, top, width, height } = b;
  if (!isCount(left) || !isCount(top) || !isCount(width) || !isCount(height) || width === 0 || height === 0) {
    throw new LineError(`${where}.box must be {left, top, width, height} with width, height > 0`);
  }
  return { wordIndex, word, box: { left, top, width, height } };
}

function parseBoxes(value: unknown, captions: readonly string[]): WordBox[][] {
  if (!Array.isArray(value) || value.length !== captions.length) {
    throw new LineError(`"boxes" must be an array with one list per caption (${captions.length})`);
  }
  return value.map((list: unknown, i) => {
    if (!Array.isArray(list)) throw new LineError(`"boxes[${i}]" must be an array`);
    const tokens = tokenize(captions[i] ?? '');
    return list.map((b: unknown, j) => parseWordBox(b, tokens, `"boxes[${i}][${j}]"`));
  });
}

function parseLine(text: string, dir: string): CaptionedImage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LineError('invalid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new LineError('not a JSON object');
  const obj = value as Record<string, unknown>;
  const image = requireField(obj, 'image');
  if (typeof image !== 'string' || image.trim() === '') throw new LineError('"image" must be a non-empty string');
  const captions = parseCaptions(requireField(obj, 'captions'));
  const split = requireField(obj, 'split');
  if (!isSplit(split)) throw new LineError(`"split" must be one of ${SPLITS.join(', ')}, got ${JSON.stringify(split)}`);
  const rawId = obj['id'] ?? image;
  if ((typeof rawId !== 'string' && typeof rawId !== 'number') || String(rawId) === '') {
    throw new LineError('"id" must be a non-empty string or a number');
  }
  const item: CaptionedImage = { id: String(rawId), file: path.resolve(dir, image), captions, split };
  if (obj['boxes'] !== undefined) item.boxes = parseBoxes(obj['boxes'], captions);
  return item;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Loads a JSONL dataset; bad lines are skipped and listed in `summary`, never thrown. */
export async function loadJsonlDataset(file: string, options: JsonlLoadOptions = {}): Promise<JsonlLoadResult> {
  const text = await readTextInput(file);
  const dir = path.dirname(path.resolve(file));
  const problems: Array<LoadProblem & { line: number }> = [];
  const firstLineOf = new Map<string, number>();
  const parsed: Array<{ line: number; item: CaptionedImage }> = [];
  let lines = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    lines += 1;
    const line = i + 1;
    try {
      const item = parseLine(raw, dir);
      const first = firstLineOf.get(item.id);
      if (first !== undefined) throw new LineError(`duplicate id ${JSON.stringify(item.id)} (first on line ${first})`);
      firstLineOf.set(item.id, line);
      parsed.push({ line, item });
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      problems.push({ line, reason: err.message });
    }
  });

  let kept = parsed;
  if (options.checkImages ?? true) {
    const exists = await Promise.all(parsed.map(({ item }) => isFile(item.file)));
    kept = parsed.filter(({ line, item }, i) => {
      if (!exists[i]) problems.push({ line, reason: `image not found: ${item.file}` });
      return exists[i];
    });
  }
  problems.sort((a, b) => a.line - b.line);

  const images = kept.map(({ item }) => item);
  const perSplit: Record<Split, number> = { train: 0, val: 0, test: 0 };
  for (const img of images) perSplit[img.split] += 1;
  const name = options.name ?? path.basename(file, path.extname(file));
  return {
    dataset: { name, root: dir, images },
    summary: {
      file,
      lines,
      loaded: images.length,
      skipped: problems.length,
      problems: problems.slice(0, options.maxProblems ?? 100),
      perSplit,
    },
  };
}
