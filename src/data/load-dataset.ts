/**
 * One entry point for every dataset format: picks the loader and returns the common CaptionDataset
 * plus a summary of skipped lines. `auto` guesses the format:
 *   *.jsonl → jsonl;  Flickr8k.token.txt, results_20130124.token, *.token.txt, or a folder holding
 *   one → flickr;  a JSON with images[].sentences → karpathy;  a JSON with annotations[] and
 *   images[].file_name → coco.
 */
import { promises as fs } from 'node:fs';
import type { CaptionDataset } from './dataset.js';
import { cocoDatasetFrom, isCocoJson, loadCocoDataset, type CocoLoadOptions } from './coco-dataset.js';
import { findFlickrCaptionFile, isFlickrCaptionFileName, loadFlickrDataset, type FlickrLoadOptions } from './flickr-dataset.js';
import { loadJsonlDataset, type JsonlLoadOptions } from './jsonl-dataset.js';
import { isKarpathyJson, karpathyDatasetFrom, loadKarpathyDataset, type KarpathyLoadOptions } from './karpathy-dataset.js';
import { formatLoadSummary, readJsonInput, type DatasetLoadResult, type DatasetLoadSummary, type JsonInput } from './load-summary.js';
import { FileInputError, UserError } from '../util/user-error.js';

export const DATASET_FORMATS = ['jsonl', 'flickr', 'karpathy', 'coco'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Every loader's options; each loader reads the ones it knows. */
export type DatasetLoadOptions = JsonlLoadOptions & FlickrLoadOptions & KarpathyLoadOptions & CocoLoadOptions;

export interface LoadedDataset {
  dataset: CaptionDataset;
  summary: DatasetLoadSummary;
  /** A human-readable account of what was loaded and skipped. */
  report: string;
}

const FIRST_FLICKR_LINE = /^[^\t\n]+#\d+\t/;

interface Detected {
  format: DatasetFormat;
  /** The parsed JSON when detection had to read it (so it is parsed once). */
  json?: JsonInput;
}

function formatOfJson(json: JsonInput, file: string): DatasetFormat {
  if (isKarpathyJson(json.value)) return 'karpathy';
  if (isCocoJson(json.value)) return 'coco';
  throw new UserError(
    `${file}: a JSON file, but neither a Karpathy split (images[].sentences) nor COCO captions (annotations[], images[].file_name); pass --format (${DATASET_FORMATS.join(', ')})`,
  );
}

async function firstBytes(file: string, count: number): Promise<string> {
  const handle = await fs.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(count), 0, count, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

async function detect(file: string): Promise<Detected> {
  let isDir: boolean;
  try {
    isDir = (await fs.stat(file)).isDirectory();
  } catch {
    throw new FileInputError(file, 'no such file or folder');
  }
  if (isDir) {
    if (await findFlickrCaptionFile(file)) return { format: 'flickr' };
    throw new UserError(`${file}: a folder without a Flickr caption file (Flickr8k.token.txt, *.token.txt); give the dataset file`);
  }
  if (/\.jsonl$/i.test(file)) return { format: 'jsonl' };
  if (isFlickrCaptionFileName(file)) return { format: 'flickr' };
  if (/\.json$/i.test(file)) {
    const json = await readJsonInput(file);
    return { format: formatOfJson(json, file), json };
  }
  if (FIRST_FLICKR_LINE.test((await firstBytes(file, 4096).catch(() => '')).replace(/^\ufeff/, ''))) return { format: 'flickr' };
  throw new UserError(`${file}: cannot tell the dataset format; pass --format (${DATASET_FORMATS.join(', ')})`);
}

/** The format `auto` would pick for a file or folder (reads a JSON to look at its structure). */
export async function detectFormat(file: string): Promise<DatasetFormat> {
  return (await detect(file)).format;
}

async function load(file: string, { format, json }: Detected, options: DatasetLoadOptions): Promise<DatasetLoadResult> {
  switch (format) {
    case 'jsonl':
      return loadJsonlDataset(file, options);
    case 'flickr':
      return loadFlickrDataset(file, options);
    case 'karpathy':
      return json ? karpathyDatasetFrom(json, file, options) : loadKarpathyDataset(file, options);
    case 'coco':
      return json ? cocoDatasetFrom(json, file, options) : loadCocoDataset(file, options);
  }
}

export async function loadDataset(file: string, format: DatasetFormat | 'auto' = 'auto', options: DatasetLoadOptions = {}): Promise<LoadedDataset> {
  if (format !== 'auto' && !(DATASET_FORMATS as readonly string[]).includes(format)) {
    throw new UserError(`unknown dataset format ${JSON.stringify(format)}; use one of auto, ${DATASET_FORMATS.join(', ')}`);
  }
  const detected = format === 'auto' ? await detect(file) : { format };
  const { dataset, summary } = await load(file, detected, options);
  return { dataset, summary, report: formatLoadSummary(summary) };
}
