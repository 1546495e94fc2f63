/**
 * Backend selection in a browser: WebGL when it works, else WASM (its .wasm files served from
 * `wasmPath`, default `./wasm/` beside the page), else pure-JS CPU; or the one asked for.
 */
import * as tf from '../util/tf.js';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from './names.js';

export type BrowserBackend = 'webgl' | 'wasm' | 'cpu';

export async function selectBrowserBackend(requested: BrowserBackend | 'auto' = 'auto', wasmPath = './wasm/'): Promise<BrowserBackend> {
  const candidates: BrowserBackend[] = requested === 'auto' ? ['webgl', 'wasm', 'cpu'] : [requested];
  // Where WASM's binaries are is page-wide: set only when this is about to start WASM.
  const failed: string[] = [];
  for (const name of candidates) {
    try {
      if (name === 'wasm' && !tf.engine().registry['wasm']) setWasmPaths(wasmPath);
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
      failed.push(`${name}: not available`);
    } catch (err) {
      failed.push(`${name}: ${String((err as Error).message ?? err).split('\n')[0]}`);
    }
  }
  throw new BackendError(`no usable compute backend (${failed.join('; ')})`);
}
