/**
 * Model files on disk. Pure-JS tfjs has no file:// loader: `fileSystemHandler` is a small
 * tf.io.IOHandler reading model.json and its weight shards, optionally only the shards the caller
 * needs (see ReadArtifactsOptions.select). Missing or unreadable files are FileInputErrors.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tf from '../util/tf.js';
import { FileInputError } from '../util/user-error.js';
import { readArtifacts, type ReadArtifactsOptions } from './artifacts.js';
import type { ModelFiles } from './model-files.js';

function describeReadError(err: unknown): string {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return `cannot read (${String((err as Error).message ?? err).split('\n')[0]})`;
}

export class LocalModelFiles implements ModelFiles {
  readonly modelJsonLocation: string;
  private readonly dir: string;

  /** `source`: a folder holding model.json, or the model.json file itself. */
  constructor(source: string) {
    const resolved = path.resolve(source);
    const isJson = resolved.toLowerCase().endsWith('.json');
    this.modelJsonLocation = isJson ? resolved : path.join(resolved, 'model.json');
    this.dir = path.dirname(this.modelJsonLocation);
  }

  async readModelJson(): Promise<string> {
    try {
      return await fs.readFile(this.modelJsonLocation, 'utf8');
    } catch (err) {
      const problem = describeReadError(err);
      const hint = problem === 'no such file' ? ': expected a TensorFlow.js model folder (model.json + weight shards)' : '';
      throw new FileInputError(this.modelJsonLocation, `${problem}${hint}`);
    }
  }

  async readShard(relativePath: string): Promise<Uint8Array> {
    const file = this.shardLocation(relativePath);
    try {
      const data = await fs.readFile(file);
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } catch (err) {
      const problem = describeReadError(err);
      const hint = problem === 'no such file' ? ': a weight shard listed in model.json is missing (copy the whole folder)' : '';
      throw new FileInputError(file, `${problem}${hint}`);
    }
  }

  shardLocation(relativePath: string): string {
    return path.resolve(this.dir, relativePath);
  }
}

/** An IOHandler loading a tfjs model (layers or graph) from a folder or a model.json path. */
export function fileSystemHandler(source: string, options: ReadArtifactsOptions = {}): tf.io.IOHandler {
  const files = new LocalModelFiles(source);
  return { load: () => readArtifacts(files, options) };
}
