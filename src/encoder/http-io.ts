/**
 * Model files on a web server. TF-Hub module URLs are resolved the way tfjs's `fromTFHub` does
 * (`<module>/model.json?tfjs-format=file`, same query on every shard). Network failures and HTTP
 * errors become WeightsUnavailableError, whose one-line message says how to use a local copy.
 */
import { WeightsUnavailableError } from './errors.js';
import type { ModelFiles } from './model-files.js';

const TFHUB_HOSTS = new Set(['tfhub.dev', 'www.kaggle.com', 'kaggle.com']);

/** model.json's URL for a URL that names it, a TF-Hub module, or a folder. */
export function modelJsonUrl(source: string): string {
  const url = new URL(source);
  if (url.pathname.toLowerCase().endsWith('.json')) return url.href;
  const base = url.href.replace(/\/?$/, '/');
  return TFHUB_HOSTS.has(url.hostname) ? `${base}model.json?tfjs-format=file` : `${base}model.json`;
}

async function fetchBytes(url: string): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    throw new WeightsUnavailableError(url, 'offline?', undefined, { cause: err });
  }
  if (!response.ok) throw new WeightsUnavailableError(url, `HTTP ${response.status} for ${url}`);
  return response;
}

export class HttpModelFiles implements ModelFiles {
  readonly modelJsonLocation: string;

  constructor(source: string) {
    this.modelJsonLocation = modelJsonUrl(source);
  }

  async readModelJson(): Promise<string> {
    return (await fetchBytes(this.modelJsonLocation)).text();
  }

  async readShard(relativePath: string): Promise<Uint8Array> {
    return new Uint8Array(await (await fetchBytes(this.shardLocation(relativePath))).arrayBuffer());
  }

  shardLocation(relativePath: string): string {
    const base = new URL(this.modelJsonLocation);
    const shard = new URL(relativePath, base);
    shard.search = base.search;
    return shard.href;
  }
}
