/**
 * Fused TensorFlow kernels for the native backend: native/attend-caption-ops.cc, compiled by
 * `npm run setup:native` into node_modules/.attend-caption-native/. Loading the addon registers its
 * ops with the TensorFlow library tfjs-node runs on; from then on tfjs-node executes them like any
 * TensorFlow op (see src/decoder/native-ops.ts). They are an optimisation only: without the addon
 * (tfjs-node from npm, or the build failed) the same math runs as stock ops.
 *
 * CAPTION_FUSED_KERNELS=0 turns them off (for comparisons); `setFusedKernels` does so in-process.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

export const FUSED_KERNELS_ENV = 'CAPTION_FUSED_KERNELS';

/** Where `npm run setup:native` puts the compiled addon. */
export const FUSED_KERNELS_PATH = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'node_modules',
  '.attend-caption-native',
  'attend-caption-ops.node',
);

/** The ops' version this code calls (kVersion in native/attend-caption-ops.cc). */
export const FUSED_KERNELS_VERSION = 2;

/** undefined: not tried yet; otherwise whether the addon loaded, and why not. */
let status: { loaded: boolean; reason: string } | undefined;
let enabled = process.env[FUSED_KERNELS_ENV] !== '0';

/**
 * Loads the addon once (call after tfjs-node is loaded: the addon links against its TensorFlow
 * library). Returns a short description for the backend log line.
 */
export function loadFusedKernels(): { loaded: boolean; reason: string } {
  if (status) return status;
  try {
    const addon = createRequire(import.meta.url)(FUSED_KERNELS_PATH) as { version?: number };
    status =
      addon.version === FUSED_KERNELS_VERSION
        ? { loaded: true, reason: 'fused kernels' }
        : { loaded: false, reason: `fused kernels are out of date (version ${addon.version}, need ${FUSED_KERNELS_VERSION}): run \`npm run setup:native\`` };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    status =
      e?.code === 'MODULE_NOT_FOUND'
        ? { loaded: false, reason: 'no fused kernels: run `npm run setup:native`' }
        : { loaded: false, reason: `fused kernels failed to load (${String(e?.message ?? err).split('\n')[0]})` };
  }
  return status;
}

/** The outcome of `loadFusedKernels`, or undefined if it was not called. */
export function fusedKernelsStatus(): { loaded: boolean; reason: string } | undefined {
  return status;
}

/** Whether the fused kernels run now: loaded, enabled, and the native backend active. */
export function fusedKernels(): boolean {
  return enabled && status?.loaded === true && tf.getBackend() === 'tensorflow';
}

/** Turns the fused kernels on or off for this process (tests, benchmarks); returns the old setting. */
export function setFusedKernels(on: boolean): boolean {
  const was = enabled;
  enabled = on;
  return was;
}
