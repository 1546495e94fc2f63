/**
 * Online weights, downloaded once: each file fetched from a URL (model.json, and only the shards a
 * cut model reads) is kept under the cache folder with its SHA-256 and size recorded, and read from
 * there next time without any request. A cached file whose bytes no longer match its record is
 * fetched again. `purgeCachedModel` drops a URL's whole entry (e.g. when the weights it gives do not
 * match a checkpoint's encoder fingerprint).
 *
 * The cache folder: util/cache-dir.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.js';
import { cacheRoot } from '../util/cache-dir.js';
import type { NetworkOptions } from '../util/network.js';
import { HttpModelFiles } from './http-io.js';
import type { ModelFiles } from './model-files.js';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The cache folder of one model.json URL. */
export function cachedModelDir(modelJsonUrl: string): string {
  const u = new URL(modelJsonUrl);
  const readable = `${u.host}${u.pathname}`.replace(/[^A-Za-z0-9._-]+/g, '_').slice(-80);
  return path.join(cacheRoot(), 'weights', `${readable}-${sha256(new TextEncoder().encode(modelJsonUrl)).slice(0, 12)}`);
}

interface Record {
  sha256: string;
  bytes: number;
}

const RECORDS = 'files.json';

export class CachedHttpModelFiles implements ModelFiles {
  readonly modelJsonLocation: string;
  private readonly http: HttpModelFiles;
  private readonly dir: string;
  private records: Map<string, Record> | undefined;
  /** Record writes, one after another (shards download in parallel; each write has every record so far). */
  private recordWrites: Promise<void> = Promise.resolve();

  constructor(source: string, network: NetworkOptions = {}) {
    this.http = new HttpModelFiles(source, network);
    this.modelJsonLocation = this.http.modelJsonLocation;
    this.dir = cachedModelDir(this.modelJsonLocation);
  }

  private async recordsOf(): Promise<Map<string, Record>> {
    if (!this.records) {
      const text = await fs.readFile(path.join(this.dir, RECORDS), 'utf8').catch(() => '{}');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = {};
      }
      this.records = new Map(Object.entries(typeof parsed === 'object' && parsed !== null ? (parsed as object) : {}) as [string, Record][]);
    }
    return this.records;
  }

  /** The cached bytes of `name` if present and intact. */
  private async cached(name: string): Promise<Uint8Array | undefined> {
    const record = (await this.recordsOf()).get(name);
    if (!record) return undefined;
    const bytes = await fs.readFile(path.join(this.dir, name)).catch(() => undefined);
    if (!bytes || bytes.byteLength !== record.bytes || sha256(bytes) !== record.sha256) return undefined;
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private async store(name: string, bytes: Uint8Array): Promise<void> {
    try {
      await writeFileAtomic(path.join(this.dir, name), bytes);
      const records = await this.recordsOf();
      records.set(name, { sha256: sha256(bytes), bytes: bytes.byteLength });
      const write = () => writeFileAtomic(path.join(this.dir, RECORDS), `${JSON.stringify(Object.fromEntries(records), null, 1)}\n`);
      this.recordWrites = this.recordWrites.then(write, write);
      await this.recordWrites;
    } catch {
      // A read-only or full cache only costs a download next time.
    }
  }

  private async fetchOnce(name: string, fetch: () => Promise<Uint8Array>): Promise<Uint8Array> {
    const hit = await this.cached(name);
    if (hit) return hit;
    const bytes = await fetch();
    await this.store(name, bytes);
    return bytes;
  }

  async readModelJson(): Promise<string> {
    const bytes = await this.fetchOnce('model.json', async () => new TextEncoder().encode(await this.http.readModelJson()));
    return new TextDecoder().decode(bytes);
  }

  async readShard(relativePath: string): Promise<Uint8Array> {
    const name = `shard-${relativePath.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
    return this.fetchOnce(name, () => this.http.readShard(relativePath));
  }

  shardLocation(relativePath: string): string {
    return this.http.shardLocation(relativePath);
  }
}

/** Forgets everything cached for `source` (a URL), so the next load downloads it again. */
export async function purgeCachedModel(source: string): Promise<void> {
  const dir = cachedModelDir(new HttpModelFiles(source).modelJsonLocation);
  if (existsSync(dir)) await fs.rm(dir, { recursive: true, force: true });
}
