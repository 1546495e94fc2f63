/**
 * A dataset given on the command line as one or more files, each with its own image folder, plus an
 * optional separate validation file: e.g. COCO's `captions_train2014.json` + `train2014/` and
 * `captions_val2014.json` + `val2014/`. They load into one dataset (ids must not repeat across files).
 */
import type { Argv } from 'yargs';
import { FileInputError, UserError } from '../util/user-error.js';
import type { CaptionDataset, Split } from './dataset.js';
import { DATASET_FORMATS, loadDataset, type DatasetFormat, type LoadedDataset } from './load-dataset.js';

export interface DatasetSource {
  file: string;
  /** The folder its images are in (default: what the loader finds beside the file). */
  imageDir?: string;
  /** Every image of this file goes to this split (a separate validation file). */
  split?: Split;
}

/** The dataset flags train, evaluate and extract-features share. */
export function datasetOptions<T>(y: Argv<T>) {
  return y
    .option('dataset', { type: 'string', array: true, demandOption: true, describe: 'captioned dataset: a file or folder (JSONL, Flickr8k/30k, Karpathy JSON, COCO JSON); repeat for several files' })
    .option('format', { choices: ['auto', ...DATASET_FORMATS] as const, default: 'auto' as const, describe: 'dataset format (auto: from the file)' })
    .option('image-dir', { type: 'string', array: true, describe: 'image folder of each --dataset, in order (default: found beside the file)' })
    .option('val-dataset', { type: 'string', describe: 'a separate file whose images are all validation images (e.g. COCO captions_val2014.json)' })
    .option('val-image-dir', { type: 'string', describe: 'image folder of --val-dataset' })
    .check((a) => {
      const dirs = a['image-dir'] ?? [];
      if (dirs.length > a.dataset.length) throw new Error(`--image-dir given ${dirs.length} times for ${a.dataset.length} --dataset`);
      if (a['val-image-dir'] && !a['val-dataset']) throw new Error('--val-image-dir needs --val-dataset');
      return true;
    });
}

export interface DatasetFlags {
  dataset: string[];
  format: string;
  'image-dir'?: string[] | undefined;
  'val-dataset'?: string | undefined;
  'val-image-dir'?: string | undefined;
}

export function datasetSourcesOf(a: DatasetFlags): DatasetSource[] {
  const sources: DatasetSource[] = a.dataset.map((file, i) => ({ file, ...(a['image-dir']?.[i] ? { imageDir: a['image-dir'][i] } : {}) }));
  if (a['val-dataset']) sources.push({ file: a['val-dataset'], split: 'val', ...(a['val-image-dir'] ? { imageDir: a['val-image-dir'] } : {}) });
  return sources;
}

/** Loads every source and merges them into one dataset; `report` has one account per file. */
export async function loadDatasets(sources: readonly DatasetSource[], format: DatasetFormat | 'auto' = 'auto'): Promise<LoadedDataset> {
  if (sources.length === 0) throw new UserError('no dataset given');
  const loaded = await Promise.all(sources.map((s) => loadDataset(s.file, format, s.imageDir ? { imageDir: s.imageDir } : {})));
  if (loaded.length === 1 && !sources[0]!.split) return loaded[0]!;
  const images: CaptionDataset['images'] = [];
  const from = new Map<string, string>();
  loaded.forEach((l, i) => {
    const source = sources[i]!;
    for (const im of l.dataset.images) {
      const other = from.get(im.id);
      if (other !== undefined) throw new FileInputError(source.file, `image id ${JSON.stringify(im.id)} is also in ${other}: ids must be unique across dataset files`);
      from.set(im.id, source.file);
      images.push(source.split ? { ...im, split: source.split } : im);
    }
  });
  const first = loaded[0]!;
  return {
    dataset: { name: loaded.map((l) => l.dataset.name).join('+'), root: first.dataset.root, images },
    summary: first.summary,
    report: loaded.map((l) => l.report).join('\n'),
  };
}
