/**
 * Compute backend selection: native TensorFlow (tfjs-node) when it loads, else WASM, else pure-JS CPU.
 *
 * `auto` (the default) walks that list and takes the first backend that initialises; an explicit name
 * (from `--backend` or the CAPTION_BACKEND env var) must work or selection fails with a clear message.
 * The choice is logged once per process to stderr.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as tf from '../util/tf.js';
import '@tensorflow/tfjs-backend-wasm';
import { SHIPPED_CHECKPOINT } from '../util/shipped-checkpoint-path.js';
import { fusedKernelsStatus, loadFusedKernels } from '../fast-paths/fused-kernels.js';
import '../util/sha256-node.js'; // Node's crypto for checksums and fingerprints (same results as the pure-JS one)
import { fenceConvolutions } from './conv-fence.js';
import { NativeCheckError, safeNativeSetting, type NativeWork } from './native-check.js';
import { ONEDNN_ENV, oneDnnCandidates } from './onednn.js';
import { withQuietStderr } from './quiet-stderr.js';
import { registerWasmKernels } from '../fast-paths/wasm-kernels.js';
import { startWasm, wasmThreadsStatus } from './wasm-threads.js';

import { BACKEND_ENV, BACKEND_NAMES, BackendError, parseBackendRequest, type BackendName, type BackendRequest } from './names.js';

export { BACKEND_NAMES, BackendError, parseBackendRequest, type BackendName, type BackendRequest };

/** How to bring up each backend; injectable so tests can simulate a missing tfjs-node. */
export type BackendInitializers = Record<BackendName, () => Promise<void>>;

export interface SelectOptions {
  /** `--backend` value; falls back to $CAPTION_BACKEND, then `auto`. */
  requested?: BackendRequest | undefined;
  initializers?: BackendInitializers;
  /** Where the one-line choice goes (default: stderr, once per process). */
  log?: (line: string) => void;
  /**
   * What the process runs (default 'all'). 'decoder-only' (training from a feature store): the native
   * check runs the decoder's ops alone, and convolutions are fenced off (conv-fence.ts).
   */
  work?: NativeWork;
}

export interface BackendChoice {
  name: BackendName;
  /** Why earlier candidates were skipped, e.g. "tensorflow: not installed". */
  skipped: string[];
}

const require = createRequire(import.meta.url);

const NATIVE_HINT = 'run `npm run setup:native` for native speed';

const NOT_INSTALLED = 'not installed';

function describeLoadError(err: unknown): string {
  if (err instanceof NativeCheckError) return err.message;
  const e = err as { code?: string; message?: string };
  if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') return NOT_INSTALLED;
  return `failed to load (${String(e?.message ?? err).split('\n')[0]})`;
}

/** The shipped encoder, which the native check runs at its real shapes. */
const SHIPPED_ENCODER_MODEL = path.join(SHIPPED_CHECKPOINT, 'encoder', 'model.json');

/** How the native backend runs here (oneDNN setting, what its check found), for the log line. */
let nativeNote = '';

async function activate(name: BackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new BackendError(`tf.setBackend('${name}') returned false`);
  await tf.ready();
}

/**
 * Loads tfjs-node (its backend becomes the active one, as its import does) after the child-process
 * check of this CPU, with the oneDNN setting the check found safe. `quiet`: libtensorflow's start-up
 * lines go to a log file instead of stderr, and TF_CPP_MIN_LOG_LEVEL defaults to 2 (the CLI's choice;
 * the library leaves stderr and the environment alone).
 */
export async function loadTfjsNode(options: { quiet: boolean; work?: NativeWork }): Promise<void> {
  // tfjs-node registers the 'tensorflow' backend on require; it is an optional dependency.
  const tfjsNode = require.resolve('@tensorflow/tfjs-node');
  const loaded = tfjsNode in require.cache;
  const work = options.work ?? 'all';
  // A crash in native code cannot be caught: a child process checks this CPU first (cached verdict).
  const setting = await safeNativeSetting(
    { tfjsNode, encoderModelJson: SHIPPED_ENCODER_MODEL, work },
    oneDnnCandidates(process.env, loaded),
  );
  nativeNote = setting.note;
  if (!loaded && setting.oneDnn !== undefined) process.env[ONEDNN_ENV] = setting.oneDnn;
  const load = async () => {
    require('@tensorflow/tfjs-node');
    await activate('tensorflow');
    loadFusedKernels();
    if (work === 'decoder-only')
      fenceConvolutions('tensorflow', 'this process runs the decoder alone (its native check did not cover convolutions)');
  };
  if (!options.quiet) return load();
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
  await withQuietStderr(load);
}

export const defaultInitializers: BackendInitializers = {
  async tensorflow() {
    await loadTfjsNode({ quiet: true });
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

/** How each backend comes up for a process that runs `work` (the CLI's full treatment). */
const initializersFor = (work: NativeWork): BackendInitializers => ({
  ...defaultInitializers,
  tensorflow: () => loadTfjsNode({ quiet: true, work }),
});

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
  const requested = options.requested ?? parseBackendRequest(process.env[BACKEND_ENV], `$${BACKEND_ENV}`);
  const init = options.initializers ?? initializersFor(options.work ?? 'all');
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
    const hint = skipped.includes(`tensorflow: ${NOT_INSTALLED}`) ? `; ${NATIVE_HINT}` : '';
    const why = skipped.length ? ` (${skipped.join('; ')}${hint})` : '';
    const detail =
      name === 'tensorflow'
        ? [fusedKernelsStatus()?.reason, nativeNote].filter(Boolean).join('; ')
        : name === 'wasm'
          ? wasmThreadsStatus()
          : '';
    log(`[caption] compute backend: ${name}${detail ? ` [${detail}]` : ''}${why}`);
    return { name, skipped };
  }
  const hint = skipped.includes(`tensorflow: ${NOT_INSTALLED}`) ? `; ${NATIVE_HINT}` : '';
  throw new BackendError(`no usable compute backend (${skipped.join('; ')}${hint})`);
}
