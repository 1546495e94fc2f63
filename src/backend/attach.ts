/**
 * How the library (`loadCaptioner`) gets a compute backend: as a guest in the host's tfjs.
 *
 * - No backend asked for, and the host's tfjs has one active: that one, used as it is: nothing is set,
 *   registered, replaced or patched. If the host has not used tfjs yet, as `auto` below (tfjs would
 *   pick one on first use anyway; this picks the fastest that works).
 * - A backend asked for (`auto`: native, else WASM, else CPU): brought up without the process-wide speed-ups (no WASM threads, no kernel
 *   replacements, no patched globals, no listeners removed: starting WASM adds Emscripten's own two
 *   process handlers, as it does for any app), and *borrowed*: switched in for the
 *   library's own work and the host's backend switched back right after, so the host keeps its
 *   backend between calls and after `dispose`. (For native TensorFlow the CPU check still runs first,
 *   and may set TF_ENABLE_ONEDNN_OPTS before libtensorflow loads: a crash in native code cannot be
 *   caught, see native-check.ts.)
 * - `processWide: true` (the CLI's choice): selectBackend's full treatment — it picks, sets and tunes
 *   the process's backend (select.ts), for the whole process.
 */
import * as tf from '../util/tf.js';
import { borrowBackend, hostBackend, type AttachedBackend } from './borrow.js';
import { BACKEND_NAMES, BackendError, type BackendName, type BackendRequest } from './names.js';

export type { AttachedBackend } from './borrow.js';

/**
 * Brings up backend `name` without process-wide tuning, then gives the host its own backend back,
 * also when starting failed (tfjs leaves the failed one named active).
 */
async function initialise(name: BackendName, host: string | null): Promise<void> {
  if (tf.engine().registry[name]) return;
  try {
    if (name === 'tensorflow') {
      const { loadTfjsNode } = await import('./select.js');
      await loadTfjsNode({ quiet: false });
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) throw new Error('the WASM backend did not start');
    } else if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
  } finally {
    if (host && tf.getBackend() !== host) await tf.setBackend(host);
  }
}

export async function attachBackend(
  requested: BackendRequest | undefined,
  options: { processWide?: boolean } = {},
): Promise<AttachedBackend> {
  if (options.processWide) {
    const { selectBackend } = await import('./select.js');
    const choice = await selectBackend({ requested: requested ?? 'auto', log: () => {} });
    return { ...hostBackend(), name: choice.name };
  }
  const host = tf.engine().backendName; // null until the host's tfjs first picks one
  if (requested === undefined && host) return hostBackend();
  if (requested === undefined || requested === 'auto') {
    const failed: string[] = [];
    for (const name of BACKEND_NAMES) {
      try {
        await initialise(name, host);
        return borrowBackend(name);
      } catch (err) {
        failed.push(`${name}: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
      }
    }
    throw new BackendError(`no usable compute backend (${failed.join('; ')})`);
  }
  await initialise(requested, host);
  return borrowBackend(requested);
}
