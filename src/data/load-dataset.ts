/**
 * One entry point for every dataset format: picks the loader and returns the common CaptionDataset
 * plus a summary of skipped lines.
 */
import type { CaptionDataset } from './dataset.js';
import { formatLoadSummary, loadJsonlDataset, type DatasetLoadSummary } from './jsonl-dataset.js';
import { UserError } from '../util/user-error.js';

export const DATASET_FORMATS = ['jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface LoadedDataset {
  dataset: CaptionDataset;
  summary: DatasetLoadSummary;
  /** A human-readable account of what was loaded and skipped. */
  report: string;
}

export function guessFormat(file: string): DatasetFormat {
  if (/\.jsonl$/i.test(file)) return 'jsonl';
  throw new UserError(`${file}: cannot tell the dataset format from the name; pass --format (${DATASET_FORMATS.join(', ')})`);
}

export async function loadDataset(file: string, format: DatasetFormat | 'auto' = 'auto'): Promise<LoadedDataset> {
  const fmt = format === 'auto' ? guessFormat(file) : format;
  switch (fmt) {
    case 'jsonl': {
      const { dataset, summary } = await loadJsonlDataset(file);
      return { dataset, summary, report: formatLoadSummary(summary) };
    }
  }
}
