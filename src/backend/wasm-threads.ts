/**
 * WASM on more than one thread in Node.js.
 *
 * tfjs-backend-wasm ships a threaded SIMD build (XNNPACK's thread pool on emscripten pthreads) but
 * never picks it in Node (tfjs issue 3830), for two reasons this file works around while the backend
 * starts, and only then:
 * - its start hands the pthread workers their scripts as blob: URLs, which Node's Worker refuses.
 *   Here the worker script becomes a file in a temporary folder, and the module's main script the
 *   package's own `wasm-out/tfjs-backend-wasm-threaded-simd.js` (the bundled copy tfjs would send
 *   names the bundler's `require$$0` and cannot run alone);
 * - it sizes the pool from half the logical CPUs (one thread on two cores): `os.cpus()` reports
 *   twice the threads wanted while the module starts;
 * - Node's workers inherit the process's flags (`--import tsx`, `--input-type` …), which the
 *   workers' plain script does not need and some break: the pool's workers start without them.
 * Global state (Blob, URL.createObjectURL, os.cpus, worker_threads.Worker, the global Worker emscripten
 * sets) is put back as soon as the backend is up, the worker scripts' folder is removed (the workers
 * have read them), and the pool's workers are unreferenced so that they never keep the process alive.
 *
 * CAPTION_WASM_THREADS=N picks the thread count (at most 8, the workers emscripten starts with); 1
 * runs tfjs's stock single-threaded build untouched. The default is the CPUs this process may use, at
 * most 4 (tfjs's own cap in the browser). If the threaded start fails, WASM starts on one thread and
 * the backend's log line says why.
 * Results do not depend on the count: each output element of XNNPACK's products is computed by one
 * thread, in the same order (test/wasm-threads.test.ts).
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import * as path from 'node:path';
import workerThreads from 'node:worker_threads';
import * as tf from '../util/tf.js';
import { getThreadsCount, setThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BackendError } from './names.js';

export const WASM_THREADS_ENV = 'CAPTION_WASM_THREADS';
const MAX_DEFAULT_THREADS = 4;
/** Emscripten's pool of pthread workers, all started with the module (its PTHREAD_POOL_SIZE). */
const MAX_THREADS = 8;

/** The thread count asked for by $CAPTION_WASM_THREADS, else the default. */
export function wasmThreadsRequested(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[WASM_THREADS_ENV];
  if (raw === undefined || raw === '') return Math.max(1, Math.min(MAX_DEFAULT_THREADS, os.availableParallelism()));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS)
    throw new BackendError(`$${WASM_THREADS_ENV}: expected an integer from 1 to ${MAX_THREADS}, got '${raw}'`);
  return n;
}

let status = '';

/** How the WASM backend started, for its log line: "2 threads", or "1 thread: <why not more>"; '' before. */
export function wasmThreadsStatus(): string {
  return status;
}

/**
 * The threads WASM's thread pool runs on (1 before the backend starts or on the stock build).
 * @public (test/wasm-threads.test.ts reads it in a child process)
 */
export function wasmThreadCount(): number {
  try {
    return getThreadsCount();
  } catch {
    return 1;
  }
}

interface PThreadWorker {
  unref(): void;
}
interface EmscriptenPThreads {
  PThread?: { runningWorkers: PThreadWorker[]; unusedWorkers: PThreadWorker[] };
}

const packageRequire = createRequire(import.meta.url);

function threadedMainScript(): string {
  const root = path.dirname(packageRequire.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const file = path.join(root, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  if (!fs.existsSync(file)) throw new BackendError(`WASM threads: ${file} is missing (set ${WASM_THREADS_ENV}=1 for one thread)`);
  return file;
}

/**
 * While `start` runs: the Blobs tfjs makes of JavaScript become files, URL.createObjectURL names
 * them, os.cpus() counts double, workers start without the process's flags. Restored afterwards,
 * whatever happens, and the files removed.
 */
async function withFileScripts<T>(threads: number, start: () => Promise<T>): Promise<T> {
  const mainScript = threadedMainScript();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attend-caption-wasm-'));
  // In each worker, the one object URL it asks for is the module's main script.
  const workerPrelude = `URL.createObjectURL=()=>${JSON.stringify(mainScript)};URL.revokeObjectURL=()=>{};\n`;
  const RealBlob = globalThis.Blob;
  const realCreateObjectURL = URL.createObjectURL;
  const realCpus = os.cpus;
  const RealWorker = workerThreads.Worker;
  const hadGlobalWorker = Object.hasOwn(globalThis, 'Worker');
  const globalWorker: unknown = Reflect.get(globalThis, 'Worker');
  let files = 0;
  class ScriptFile {
    readonly path: string = mainScript;
    constructor(parts: unknown[], options?: { type?: string }) {
      const isScript = /javascript/.test(options?.type ?? '') && parts.every((p) => typeof p === 'string');
      if (!isScript) return new RealBlob(parts as string[], options) as unknown as ScriptFile;
      const text = parts.join('');
      if (!text.startsWith('var WasmBackendModuleThreadedSimd')) {
        this.path = path.join(dir, `worker-${files++}.cjs`);
        fs.writeFileSync(this.path, workerPrelude + text);
      }
    }
  }
  globalThis.Blob = ScriptFile as unknown as typeof Blob;
  URL.createObjectURL = (obj: Parameters<typeof URL.createObjectURL>[0]) =>
    obj instanceof ScriptFile ? obj.path : realCreateObjectURL(obj);
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]!);
  };
  workerThreads.Worker = class PoolWorker extends RealWorker {
    constructor(file: string | URL, options?: workerThreads.WorkerOptions) {
      super(file, { ...options, execArgv: [] });
    }
  };
  try {
    return await start();
  } finally {
    workerThreads.Worker = RealWorker;
    if (hadGlobalWorker) Reflect.set(globalThis, 'Worker', globalWorker);
    else Reflect.deleteProperty(globalThis, 'Worker');
    globalThis.Blob = RealBlob;
    URL.createObjectURL = realCreateObjectURL;
    os.cpus = realCpus;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Starts the WASM backend with `activate` on the threads asked for (see the file's comment); one
 * thread leaves tfjs's start as it is.
 */
export async function startWasm(activate: () => Promise<void>, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const threads = wasmThreadsRequested(env);
  if (threads === 1) {
    await activate();
    status = env[WASM_THREADS_ENV] ? `1 thread (${WASM_THREADS_ENV}=1)` : '1 thread (one CPU)';
    return;
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  try {
    await withFileScripts(threads, activate);
  } catch (err) {
    // tfjs's own start, on one thread, is the fallback.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    await activate();
    status = `1 thread: threads failed to start (${String((err as Error)?.message ?? err).split('\n')[0]})`;
    return;
  }
  const module = (tf.backend() as unknown as BackendWasm).wasm as unknown as EmscriptenPThreads;
  for (const w of [...(module.PThread?.runningWorkers ?? []), ...(module.PThread?.unusedWorkers ?? [])]) w.unref();
  status = `${wasmThreadCount()} threads`;
}
