/**
 * Whether the native fused kernels (native/attend-caption-ops.cc) run now, by kernel group: the state
 * the dispatch point (dispatch.ts) reads. No Node.js here: the loader (fused-kernels.ts) sets it in Node; in a
 * browser the kernels are simply absent and the stock-op math runs.
 */
import * as tf from '../util/tf.js';

export const FUSED_KERNELS_ENV = 'CAPTION_FUSED_KERNELS';

/** The kernel groups, each switchable on its own. */
export const FUSED_KERNEL_GROUPS = ['attention', 'context', 'lstm', 'adam', 'search'] as const;
export type FusedKernelGroup = (typeof FUSED_KERNEL_GROUPS)[number];

export interface FusedKernelsStatus {
  loaded: boolean;
  reason: string;
  /** Threads the kernels split work over (the CPUs the process may use, or $CAPTION_NATIVE_THREADS). */
  threads?: number;
}

/** undefined: not tried yet; otherwise whether the addon loaded, and why not. */
let status: FusedKernelsStatus | undefined;
let enabled = new Set<FusedKernelGroup>(FUSED_KERNEL_GROUPS);
/** Counts changes of `status` or `enabled` (the dispatch point rebuilds its table on a change). */
let generation = 0;

/** The groups named by CAPTION_FUSED_KERNELS: unset or `all` = every group, `0`/`none` = none. */
export function parseFusedKernelGroups(value: string | undefined): Set<FusedKernelGroup> {
  const v = (value ?? 'all').trim().toLowerCase();
  if (v === '' || v === 'all' || v === '1') return new Set(FUSED_KERNEL_GROUPS);
  if (v === '0' || v === 'none' || v === 'off') return new Set();
  const names = v.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(FUSED_KERNEL_GROUPS as readonly string[]).includes(n));
  if (unknown.length) {
    throw new Error(
      `$${FUSED_KERNELS_ENV}: unknown kernel group "${unknown[0]}" (expected all, none or a list of ${FUSED_KERNEL_GROUPS.join(', ')})`,
    );
  }
  return new Set(names as FusedKernelGroup[]);
}

/** Records the loader's outcome and the enabled groups (fused-kernels.ts). */
export function setFusedKernelsState(next: FusedKernelsStatus, groups: Set<FusedKernelGroup>): void {
  status = next;
  enabled = groups;
  generation++;
}

export function describeEnabled(groups: ReadonlySet<FusedKernelGroup> = enabled): string {
  if (groups.size === FUSED_KERNEL_GROUPS.length) return 'fused kernels';
  if (groups.size === 0) return `fused kernels off ($${FUSED_KERNELS_ENV})`;
  return `fused kernels: ${[...groups].join(', ')} only ($${FUSED_KERNELS_ENV})`;
}

/** The outcome of `loadFusedKernels`, or undefined if it was not called. */
export function fusedKernelsStatus(): FusedKernelsStatus | undefined {
  return status;
}

/** Changes whenever what `fusedKernels` answers may have changed (other than by the active backend). */
export function fusedKernelsGeneration(): number {
  return generation;
}

/** Whether a group's fused kernels run now: loaded, enabled, and the native backend active. */
export function fusedKernels(group: FusedKernelGroup): boolean {
  return enabled.has(group) && status?.loaded === true && tf.getBackend() === 'tensorflow';
}

/** Turns all fused kernels on or off for this process (tests, benchmarks); returns whether all were on. */
export function setFusedKernels(on: boolean): boolean {
  const was = enabled.size === FUSED_KERNEL_GROUPS.length;
  enabled = new Set(on ? FUSED_KERNEL_GROUPS : []);
  generation++;
  return was;
}
