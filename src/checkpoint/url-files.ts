/** A checkpoint's files at a URL (a browser, or any fetch): `<base>/model.json`, `weights.bin`, `vocab.json`… */
import { describeFetchFailure, requestSignal, type NetworkOptions } from '../util/network.js';
import { FileInputError } from '../util/user-error.js';
import type { CheckpointFiles } from './read.js';

export function urlFiles(base: string, network: NetworkOptions = {}): CheckpointFiles {
  const root = base.endsWith('/') ? base : `${base}/`;
  const url = (name: string) => new URL(name, new URL(root, globalThis.location?.href ?? 'http://localhost/')).href;
  const get = async (name: string): Promise<Response | undefined> => {
    let r: Response;
    try {
      r = await fetch(url(name), { signal: requestSignal(network) });
    } catch (err) {
      throw new FileInputError(url(name), `cannot be fetched (${describeFetchFailure(err, network)})`, { cause: err });
    }
    if (r.status === 404) return undefined;
    if (!r.ok) throw new FileInputError(url(name), `HTTP ${r.status}`);
    return r;
  };
  return {
    location: (name) => url(name),
    readText: async (name) => (await get(name))?.text(),
    readBytes: async (name) => {
      const r = await get(name);
      return r ? new Uint8Array(await r.arrayBuffer()) : undefined;
    },
  };
}
