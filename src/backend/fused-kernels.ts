/**
 * Fused TensorFlow kernels for the native backend: native/attend-caption-ops.cc, compiled by
 * `npm run setup:native` into node_modules/.attend-caption-native/. Loading the addon registers its
 * ops with the TensorFlow library tfjs-node runs on; from then on tfjs-node executes them like any
 * TensorFlow op (see src/decoder/native-ops.ts). They are an optimisation only: without the addon
 * (tfjs-node from npm, or the build failed) the same math runs as stock ops.
 *
 * CAPTION_FUSED_KERNELS=0 turns them off, CAPTION_FUSED_KERNELS=attention,adam keeps only those
 * groups (for comparisons); `setFusedKernels` does so in-process.
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
export const FUSED_KERNELS_VERSION = 3;

/** undefined: not tried yet; otherwise whether the addon loaded, and why not. */
let status: FusedKernelsStatus | undefined;

export interface FusedKernelsStatus {
  loaded: boolean;
  reason: string;
  /** Threads the kernels split work over (the CPUs the process may use, or $CAPTION_NATIVE_THREADS). */
  threads?: number;
}
/** The kernel groups, each switchable on its own. */
export const FUSED_KERNEL_GROUPS = ['attention', 'context', 'lstm', 'adam'] as const;
export type FusedKernelGroup = (typeof FUSED_KERNEL_GROUPS)[number];

/** The groups named by CAPTION_FUSED_KERNELS: unset or `all` = every group, `0`/`none` = none. */
export function parseFusedKernelGroups(value: string | undefined): Set<FusedKernelGroup> {
  const v = (value ?? 'all').trim().toLowerCase();
  if (v === '' || v === 'all' || v === '1') return new Set(FUSED_KERNEL_GROUPS);
  if (v === '0' || v === 'none' || v === 'off') return new Set();
  const names = v.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(FUSED_KERNEL_GROUPS as readonly string[]).includes(n));
  if (unknown.length) {
    throw new Error(`$${FUSED_KERNELS_ENV}: unknown kernel group "${unknown[0]}" (expected all, none or a list of ${FUSED_KERNEL_GROUPS.join(', ')})`);
  }
  return new Set(names as FusedKernelGroup[]);
}

let enabled = new Set<FusedKernelGroup>(FUSED_KERNEL_GROUPS);

/**
 * Loads the addon once (call after tfjs-node is loaded: the addon links against its TensorFlow
 * library). Returns a short description for the backend log line.
 */
export function loadFusedKernels(): FusedKernelsStatus {
  if (status) return status;
  try {
    enabled = parseFusedKernelGroups(process.env[FUSED_KERNELS_ENV]);
  } catch (err) {
    status = { loaded: false, reason: `no fused kernels: ${(err as Error).message}` };
    return status;
  }
  try {
    const addon = createRequire(import.meta.url)(FUSED_KERNELS_PATH) as { version?: number; threads?: number };
    status =
      addon.version === FUSED_KERNELS_VERSION
        ? { loaded: true, reason: describeEnabled(), ...(addon.threads ? { threads: addon.threads } : {}) }
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
export function fusedKernelsStatus(): FusedKernelsStatus | undefined {
  return status;
}

function describeEnabled(): string {
  if (enabled.size === FUSED_KERNEL_GROUPS.length) return 'fused kernels';
  if (enabled.size === 0) return `fused kernels off ($${FUSED_KERNELS_ENV})`;
  return `fused kernels: ${[...enabled].join(', ')} only ($${FUSED_KERNELS_ENV})`;
}

/** Whether a group's fused kernels run now: loaded, enabled, and the native backend active. */
export function fusedKernels(group: FusedKernelGroup): boolean {
  return enabled.has(group) && status?.loaded === true && tf.getBackend() === 'tensorflow';
}

/** Turns all fused kernels on or off for this process (tests, benchmarks); returns whether all were on. */
export function setFusedKernels(on: boolean): boolean {
  const was = enabled.size === FUSED_KERNEL_GROUPS.length;
  enabled = new Set(on ? FUSED_KERNEL_GROUPS : []);
  return was;
}
