/**
 * What every caption dataset becomes (JSONL, the shapes set, later Flickr8k/COCO/Karpathy splits):
 * a list of images, each with its captions and split. Loaders fill it; training and evaluation read it.
 */
import type { Region } from '../image/types.js';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: readonly Split[] = ['train', 'val', 'test'];

/** The box of the object a caption word names (grounding). */
export interface WordBox {
  /** Index of the word in `tokenize(caption)`. */
  wordIndex: number;
  /** That word (a check: it must equal `tokenize(caption)[wordIndex]`). */
  word: string;
  /** The object's bounding box in the image file's pixels. Words of one object share one box. */
  box: Region;
}

export interface CaptionedImage {
  /** Unique within the dataset. */
  id: string;
  /** Absolute path of the image file. */
  file: string;
  /** Raw caption text (tokenize before use); at least one. */
  captions: string[];
  split: Split;
  /** Grounding: `boxes[i]` belongs to `captions[i]` (same length when present). */
  boxes?: WordBox[][];
}

export interface CaptionDataset {
  name: string;
  /** Folder the image paths were resolved against. */
  root: string;
  images: CaptionedImage[];
}

export function isSplit(value: unknown): value is Split {
  return value === 'train' || value === 'val' || value === 'test';
}

export function imagesOf(dataset: CaptionDataset, split: Split): CaptionedImage[] {
  return dataset.images.filter((img) => img.split === split);
}
