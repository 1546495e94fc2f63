/** The `ModelFiles` of a source in Node: a folder, a model.json path, a file:// or an http(s) URL. */
import { fileURLToPath } from 'node:url';
import type { NetworkOptions } from '../util/network.js';
import { CachedHttpModelFiles } from './cached-http-io.js';
import { LocalModelFiles } from './fs-io.js';
import { isHttp, type ModelFiles } from './model-files.js';

/** `source`: a folder holding model.json, a model.json path, a file:// URL, or an http(s) URL. */
export function modelFilesAt(source: string, network: NetworkOptions = {}): ModelFiles {
  if (isHttp(source)) return new CachedHttpModelFiles(source, network); // downloaded once, then from the cache
  if (source.startsWith('file://')) return new LocalModelFiles(fileURLToPath(source));
  return new LocalModelFiles(source);
}
