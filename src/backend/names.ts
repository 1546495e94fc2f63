/**
 * The compute backends by name and how a user asks for one (`--backend`, $CAPTION_BACKEND). No
 * TensorFlow.js here: command-line parsing and `--help` import this without loading an engine.
 */
import { UserError } from '../util/user-error.js';

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendRequest = BackendName | 'auto';

/** The one env var that picks a backend when no `--backend` flag is given. */
export const BACKEND_ENV = 'CAPTION_BACKEND';

/** A backend that was asked for by name and cannot be had: the user's to fix (exit code 2). */
export class BackendError extends UserError {
  override name = 'BackendError';
  override readonly code: string = 'BACKEND_UNAVAILABLE';
}

export function parseBackendRequest(value: string | undefined, source: string): BackendRequest {
  if (value === undefined || value === '') return 'auto';
  const v = value.trim().toLowerCase();
  const alias: Record<string, BackendRequest> = { native: 'tensorflow', node: 'tensorflow', 'tfjs-node': 'tensorflow' };
  const name = alias[v] ?? v;
  if (name === 'auto' || (BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendRequest;
  throw new BackendError(`${source}: unknown backend "${value}" (expected auto, ${BACKEND_NAMES.join(', ')})`);
}
