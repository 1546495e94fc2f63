/**
 * Where a tfjs model's files come from: a folder on disk or an http(s) URL. Both answer the same two
 * questions (model.json's text, a weight shard's bytes) and fail with one-line UserErrors.
 */
import { fileURLToPath } from 'node:url';
import { LocalModelFiles } from './fs-io.js';
import type { NetworkOptions } from '../util/network.js';
import { CachedHttpModelFiles } from './cached-http-io.js';

export interface ModelFiles {
  /** model.json's path or URL, for messages. */
  readonly modelJsonLocation: string;
  readModelJson(): Promise<string>;
  /** The bytes of a weight shard named (as in the weights manifest) relative to model.json. */
  readShard(relativePath: string): Promise<Uint8Array>;
  /** A shard's path or URL, for messages. */
  shardLocation(relativePath: string): string;
}

export const isHttp = (source: string): boolean => /^https?:\/\//i.test(source);

/** `source`: a folder holding model.json, a model.json path, a file:// URL, or an http(s) URL. */
export function modelFilesAt(source: string, network: NetworkOptions = {}): ModelFiles {
  if (isHttp(source)) return new CachedHttpModelFiles(source, network); // downloaded once, then from the cache
  if (source.startsWith('file://')) return new LocalModelFiles(fileURLToPath(source));
  return new LocalModelFiles(source);
}
