/**
 * The plain-tfjs reference of every dispatched op (dispatch.ts), recorded where the op is declared:
 * what tests compare each fast path with, and what a fast path falls back to for inputs it does not take.
 */
import type { FastPathName, FastPaths } from './types.js';

const references = new Map<FastPathName, unknown>();

export function registerReference<K extends FastPathName>(name: K, reference: FastPaths[K]): void {
  references.set(name, reference);
}

/** The reference of `name`, once the module declaring it is loaded. */
export function referenceOf<K extends FastPathName>(name: K): FastPaths[K] | undefined {
  return references.get(name) as FastPaths[K] | undefined;
}
