/**
 * Fused TensorFlow kernels for the native backend: native/attend-caption-ops.cc, compiled by
 * `npm run setup:native` into node_modules/.attend-caption-native/. Loading the addon registers its
 * ops with the TensorFlow library tfjs-node runs on; from then on tfjs-node executes them like any
 * TensorFlow op (see native-kernels.ts; dispatch.ts decides where they run). They are an optimisation only: without the addon
 * (tfjs-node from npm, or the build failed) the same math runs as stock ops.
 *
 * CAPTION_FUSED_KERNELS=0 turns them off, CAPTION_FUSED_KERNELS=attention,adam keeps only those
 * groups (for comparisons); `setFusedKernels` does so in-process.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  describeEnabled,
  FUSED_KERNELS_ENV,
  fusedKernelsStatus,
  parseFusedKernelGroups,
  setFusedKernelsState,
  type FusedKernelGroup,
  type FusedKernelsStatus,
} from './fused-state.js';

export {
  FUSED_KERNEL_GROUPS,
  fusedKernels,
  fusedKernelsStatus,
  parseFusedKernelGroups,
  setFusedKernels,
  type FusedKernelsStatus,
} from './fused-state.js';

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
const FUSED_KERNELS_VERSION = 4;

/**
 * Loads the addon once (call after tfjs-node is loaded: the addon links against its TensorFlow
 * library). Returns a short description for the backend log line.
 */
export function loadFusedKernels(): FusedKernelsStatus {
  const known = fusedKernelsStatus();
  if (known) return known;
  let status: FusedKernelsStatus;
  let enabled: Set<FusedKernelGroup>;
  try {
    enabled = parseFusedKernelGroups(process.env[FUSED_KERNELS_ENV]);
  } catch (err) {
    status = { loaded: false, reason: `no fused kernels: ${(err as Error).message}` };
    setFusedKernelsState(status, new Set());
    return status;
  }
  try {
    const addon = createRequire(import.meta.url)(FUSED_KERNELS_PATH) as { version?: number; threads?: number };
    status =
      addon.version === FUSED_KERNELS_VERSION
        ? { loaded: true, reason: describeEnabled(enabled), ...(addon.threads ? { threads: addon.threads } : {}) }
        : {
            loaded: false,
            reason: `fused kernels are out of date (version ${addon.version}, need ${FUSED_KERNELS_VERSION}): run \`npm run setup:native\``,
          };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    status =
      e?.code === 'MODULE_NOT_FOUND'
        ? { loaded: false, reason: 'no fused kernels: run `npm run setup:native`' }
        : { loaded: false, reason: `fused kernels failed to load (${String(e?.message ?? err).split('\n')[0]})` };
  }
  setFusedKernelsState(status, enabled);
  return status;
}
