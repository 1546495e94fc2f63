/**
 * Model files on a web server. TF-Hub module URLs are resolved the way tfjs's `fromTFHub` does
 * (`<module>/model.json?tfjs-format=file`, same query on every shard). Network failures and HTTP
 * errors become WeightsUnavailableError, whose one-line message says how to use a local copy.
 */
import { describeFetchFailure, ProgressCounter, requestSignal, type NetworkOptions } from '../util/network.js';
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

async function fetchBytes(url: string, network: NetworkOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: requestSignal(network) });
  } catch (err) {
    throw new WeightsUnavailableError(url, describeFetchFailure(err, network), undefined, { cause: err });
  }
  if (!response.ok) throw new WeightsUnavailableError(url, `HTTP ${response.status} for ${url}`);
  return response;
}

export class HttpModelFiles implements ModelFiles {
  readonly modelJsonLocation: string;

  private readonly progress: ProgressCounter;

  constructor(
    source: string,
    private readonly network: NetworkOptions = {},
  ) {
    this.modelJsonLocation = modelJsonUrl(source);
    this.progress = new ProgressCounter(network.onProgress);
  }

  async readModelJson(): Promise<string> {
    return (await fetchBytes(this.modelJsonLocation, this.network)).text();
  }

  async readShard(relativePath: string): Promise<Uint8Array> {
    const url = this.shardLocation(relativePath);
    const response = await fetchBytes(url, this.network);
    try {
      return await this.progress.read(response, url);
    } catch (err) {
      throw new WeightsUnavailableError(url, describeFetchFailure(err, this.network), undefined, { cause: err });
    }
  }

  shardLocation(relativePath: string): string {
    const base = new URL(this.modelJsonLocation);
    const shard = new URL(relativePath, base);
    shard.search = base.search;
    return shard.href;
  }
}
