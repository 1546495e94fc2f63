/**
 * `caption`'s positional arguments → image files, in the order given: a file as is, a folder's image
 * files (sorted, not recursive), a glob pattern's matches (quote it so the shell leaves it to us).
 * An argument that matches nothing is reported as a failure, not dropped silently.
 */
import { statSync } from 'node:fs';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { IMAGE_EXTENSIONS } from '../data/image-list.js';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';

export interface ExpandedInputs {
  files: string[];
  /** Arguments that named nothing usable, with why. */
  problems: { input: string; problem: string }[];
}

export function expandInputs(args: readonly string[]): ExpandedInputs {
  const files: string[] = [];
  const problems: ExpandedInputs['problems'] = [];
  const seen = new Set<string>();
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };
  for (const arg of args) {
    let isDir = false;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      // not an existing path: a glob, or a missing file reported by the image loader
    }
    if (isDir) {
      const images = readdirSync(arg)
        .filter((n) => IMAGE_EXTENSIONS.test(n))
        .sort();
      if (images.length === 0) problems.push({ input: arg, problem: 'folder holds no images (jpg, png, webp, gif, tiff, avif)' });
      images.forEach((n) => add(path.join(arg, n)));
    } else if (isDynamicPattern(arg)) {
      const matches = globSync(arg, { onlyFiles: true })
        .filter((f) => IMAGE_EXTENSIONS.test(f))
        .sort();
      if (matches.length === 0) problems.push({ input: arg, problem: 'pattern matches no images' });
      matches.forEach(add);
    } else {
      add(arg);
    }
  }
  return { files, problems };
}
