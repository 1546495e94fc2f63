/**
 * Where a tfjs model's files come from: a folder on disk or an http(s) URL. Both answer the same two
 * questions (model.json's text, a weight shard's bytes) and fail with one-line UserErrors.
 */
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

/** The folder inside a checkpoint that holds the weights of the encoder it was trained on. */
export const SHIPPED_ENCODER_DIR = 'encoder';
