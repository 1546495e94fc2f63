/**
 * Compute backend selection: native TensorFlow (tfjs-node) when it loads, else WASM, else pure-JS CPU.
 *
 * `auto` (the default) walks that list and takes the first backend that initialises; an explicit name
 * (from `--backend` or the CAPTION_BACKEND env var) must work or selection fails with a clear message.
 * The choice is logged once per process to stderr.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fusedKernelsStatus, loadFusedKernels } from './fused-kernels.js';
import '../util/sha256-node.js'; // Node's crypto for checksums and fingerprints (same results as the pure-JS one)
import { withQuietStderr } from './quiet-stderr.js';
import { registerWasmKernels } from './wasm-kernels.js';
import { startWasm, wasmThreadsStatus } from './wasm-threads.js';

import { BACKEND_ENV, BACKEND_NAMES, BackendError, parseBackendRequest, type BackendName, type BackendRequest } from './names.js';

export { BACKEND_ENV, BACKEND_NAMES, BackendError, parseBackendRequest, type BackendName, type BackendRequest };

/** How to bring up each backend; injectable so tests can simulate a missing tfjs-node. */
export type BackendInitializers = Record<BackendName, () => Promise<void>>;

export interface SelectOptions {
  /** `--backend` value; falls back to $CAPTION_BACKEND, then `auto`. */
  requested?: BackendRequest | undefined;
  initializers?: BackendInitializers;
  /** Where the one-line choice goes (default: stderr, once per process). */
  log?: (line: string) => void;
}

export interface BackendChoice {
  name: BackendName;
  /** Why earlier candidates were skipped, e.g. "tensorflow: not installed". */
  skipped: string[];
}

const require = createRequire(import.meta.url);

const NATIVE_HINT = 'run `npm run setup:native` for native speed';

function describeLoadError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') return 'not installed';
  return `failed to load (${String(e?.message ?? err).split('\n')[0]})`;
}

async function activate(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new BackendError(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

export const defaultInitializers: BackendInitializers = {
  async tensorflow() {
    // tfjs-node registers the 'tensorflow' backend on require; it is an optional dependency.
    process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
    // libtensorflow's start-up lines (absl, oneDNN, CPU features) go to a log file, not our stderr.
    await withQuietStderr(async () => {
      require('@tensorflow/tfjs-node');
      await activate('tensorflow');
      loadFusedKernels();
    });
  },
  async wasm() {
    registerWasmKernels();
    const before = { exception: process.listeners('uncaughtException'), rejection: process.listeners('unhandledRejection') };
    await startWasm(() => activate('wasm'));
    // Emscripten's glue adds process-wide handlers that rethrow, so any stray error would print its
    // whole minified source; take them off again and leave error handling to Node and our CLIs.
    for (const l of process.listeners('uncaughtException')) if (!before.exception.includes(l)) process.off('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!before.rejection.includes(l)) process.off('unhandledRejection', l);
  },
  async cpu() {
    await activate('cpu');
  },
};

/** Silences the "install tfjs-node" banner the CPU backend prints on first use in Node. */
function silenceCpuBanner(): void {
  if (!tf.engine().registryFactory['cpu']) return;
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

let logged = false;
const stderrOnce = (line: string): void => {
  if (logged) return;
  logged = true;
  process.stderr.write(`${line}\n`);
};

/** Picks and activates a backend; returns which one and why others were skipped. */
export async function selectBackend(options: SelectOptions = {}): Promise<BackendChoice> {
  const requested =
    options.requested ?? parseBackendRequest(process.env[BACKEND_ENV], `$${BACKEND_ENV}`);
  const init = options.initializers ?? defaultInitializers;
  const log = options.log ?? stderrOnce;
  const candidates: readonly BackendName[] = requested === 'auto' ? BACKEND_NAMES : [requested];
  const skipped: string[] = [];
  for (const name of candidates) {
    try {
      await init[name]();
    } catch (err) {
      skipped.push(`${name}: ${describeLoadError(err)}`);
      continue;
    }
    silenceCpuBanner();
    const why = skipped.length ? ` (${skipped.join('; ')}${name !== 'tensorflow' ? `; ${NATIVE_HINT}` : ''})` : '';
    const detail = name === 'tensorflow' ? (fusedKernelsStatus()?.reason ?? '') : name === 'wasm' ? wasmThreadsStatus() : '';
    log(`[caption] compute backend: ${name}${detail ? ` [${detail}]` : ''}${why}`);
    return { name, skipped };
  }
  const hint = requested === 'tensorflow' ? `; ${NATIVE_HINT}` : '';
  throw new BackendError(`no usable compute backend (${skipped.join('; ')}${hint})`);
}
