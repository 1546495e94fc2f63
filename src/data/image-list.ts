/**
 * Which images a job works on, and the key each one is stored under: a dataset's images (key = the
 * dataset's image id, as training looks them up), a folder's image files (key = path relative to the
 * folder), or a list file with one path per line (key = the line as written).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileInputError } from '../util/user-error.js';
import { loadDatasets, type DatasetSource } from './dataset-sources.js';
import type { DatasetFormat } from './load-dataset.js';
import { readTextInput } from './read-input.js';

export interface KeyedImage {
  key: string;
  file: string;
}

export const IMAGE_EXTENSIONS = /\.(jpe?g|png|webp|gif|tiff?|avif)$/i;

export async function imagesOfDataset(sources: readonly DatasetSource[], log: (l: string) => void, format: DatasetFormat | 'auto' = 'auto'): Promise<KeyedImage[]> {
  const { dataset, report } = await loadDatasets(sources, format);
  log(report);
  return dataset.images.map((im) => ({ key: im.id, file: im.file }));
}

export async function imagesInFolder(dir: string): Promise<KeyedImage[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    throw new FileInputError(dir, 'cannot list this folder');
  }
  return names
    .filter((n) => IMAGE_EXTENSIONS.test(n))
    .sort()
    .map((n) => ({ key: n, file: path.join(dir, n) }));
}

export async function imagesInList(listFile: string): Promise<KeyedImage[]> {
  const text = await readTextInput(listFile);
  const base = path.dirname(listFile);
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ key: l, file: path.resolve(base, l) }));
}
