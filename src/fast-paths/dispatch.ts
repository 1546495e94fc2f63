/**
 * The one dispatch point between the model's math and the backends' fast paths.
 *
 * The decoder (src/decoder/) is written in plain tfjs ops, as the paper states it. Each op that some
 * backend runs faster is declared there with `dispatched(name, reference)`: the plain version is the
 * reference, and at call time the active backend's fast path of that name runs instead, if it has
 * one. `fastPathsFor` below is the only place that says which backend runs what; every fast path
 * gives the reference's values and gradients (test/dispatch.test.ts checks each on each backend).
 *
 * Nothing here needs Node.js: the native kernels are used only once their loader
 * (fused-kernels.ts, Node only) has reported them loaded.
 *
 * One switch turns every fast path off on every backend, for debugging the plain math:
 * `CAPTION_FAST_PATHS=off` in the environment (read once), or `setFastPaths(false)` in-process.
 * Adam then runs its plain-tfjs update (src/train/adam.ts). `CAPTION_FAST_PATHS=-matMul,-tanh`
 * turns off only those (what `npm run bench -- fast-paths` measures each one's worth with).
 */
import * as tf from '../util/tf.js';
import { commonFastPaths, stockMatMul } from './common.js';
import { nativeFastPaths } from './native.js';
import { wasmFastPaths } from './wasm.js';
import { FAST_PATH_NAMES, type FastPathName, type FastPaths, type FastPathSet } from './types.js';
import { fusedKernelsGeneration } from './fused-state.js';
import { referenceOf, registerReference } from './references.js';

export type { CellState, FastPathName, FastPaths, FastPathSet } from './types.js';

/**
 * Which fast paths a backend runs: the one place that decides. `off`: ops turned off by the switch
 * (below); with `matMul` among them the shared step matmuls multiply with tfjs's own matMul too.
 */
export function fastPathsFor(backend: string, off: readonly FastPathName[] = []): FastPathSet {
  const common = (matMul: FastPaths['matMul']) => commonFastPaths(off.includes('matMul') ? stockMatMul : matMul);
  let paths: FastPathSet;
  switch (backend) {
    case 'tensorflow': {
      const native = nativeFastPaths(); // (the fused kernels only when loaded and enabled)
      paths = { ...common(native.matMul), ...native };
      break;
    }
    case 'wasm':
      paths = { ...common(wasmFastPaths.matMul), ...wasmFastPaths };
      break;
    default:
      paths = common(stockMatMul);
  }
  for (const name of off) delete paths[name];
  return paths;
}

const FAST_PATHS_ENV = 'CAPTION_FAST_PATHS';

/** Every fast path on, every one off, or every one on but some (their ops run the reference). */
export type FastPathsSetting = 'on' | 'off' | { except: readonly FastPathName[] };

/**
 * The switch's value: `off`, `0`, `none` or `false` turn every fast path off; a comma-separated list
 * of op names each prefixed by `-` (`-matMul,-tanh`) turns those off; unset or anything else leaves
 * them on. An unknown op name in the list is an error, reported when an op first runs.
 */
export function parseFastPathsSwitch(value: string | undefined): FastPathsSetting {
  const v = (value ?? '').trim();
  if (['off', '0', 'none', 'false'].includes(v.toLowerCase())) return 'off';
  const items = v
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (items.length === 0 || !items.every((x) => x.startsWith('-'))) return 'on';
  const except = items.map((x) => x.slice(1));
  const unknown = except.filter((x) => !(FAST_PATH_NAMES as readonly string[]).includes(x));
  if (unknown.length) {
    throw new RangeError(
      `${FAST_PATHS_ENV}: unknown fast path ${unknown.map((x) => `"${x}"`).join(', ')} (known: ${FAST_PATH_NAMES.join(', ')})`,
    );
  }
  return { except: except as FastPathName[] };
}

const environmentSetting = (() => {
  try {
    return parseFastPathsSwitch((globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[FAST_PATHS_ENV]);
  } catch (err) {
    return err as Error; // thrown when an op first runs (importing the library never throws)
  }
})();
let setting: FastPathsSetting | Error = environmentSetting;
let switchGeneration = 0;

/**
 * Turns every fast path on (`true` or 'on') or off (`false` or 'off'), or all but some off
 * (`{ except: [...] }`), in-process (the environment's setting is only the start); returns the previous setting.
 */
export function setFastPaths(on: boolean | FastPathsSetting): FastPathsSetting {
  const was = setting instanceof Error ? 'on' : setting;
  setting = on === true ? 'on' : on === false ? 'off' : on;
  switchGeneration++;
  return was;
}

let active: { backend: string; generation: string; paths: FastPathSet } | null = null;

/** The active backend's set, rebuilt only when the backend or a switch changes. */
function activeFastPaths(): FastPathSet {
  const backend = tf.getBackend();
  const generation = `${fusedKernelsGeneration()}/${switchGeneration}`;
  if (active?.backend !== backend || active.generation !== generation) {
    if (setting instanceof Error) throw setting;
    active = { backend, generation, paths: setting === 'off' ? {} : fastPathsFor(backend, setting === 'on' ? [] : setting.except) };
  }
  return active.paths;
}

/** The active backend's fast path for `name`, if it has one. */
export function fastPath<K extends FastPathName>(name: K): FastPaths[K] | undefined {
  return activeFastPaths()[name];
}

/** `reference`, run as the active backend's fast path of the same name when it has one. */
export function dispatched<K extends FastPathName>(name: K, reference: FastPaths[K]): FastPaths[K] {
  registerReference(name, reference);
  const call = (...args: unknown[]): unknown => {
    const f = (activeFastPaths()[name] ?? reference) as (...a: unknown[]) => unknown;
    return f(...args);
  };
  return call as FastPaths[K];
}

export { referenceOf };

/** Frees what a fast path keeps for a Keras network (its folded kernels); call before disposing it. */
export { releaseFoldedNetwork as releaseNetworkState } from './folded-network.js';
