/** The `--backend` flag every command shares: unset means $CAPTION_BACKEND, else auto. */
import { BACKEND_ENV, BACKEND_NAMES, parseBackendRequest, type BackendRequest } from '../backend/names.js';

export const BACKEND_OPTION = {
  type: 'string',
  choices: ['auto', ...BACKEND_NAMES, 'native'],
  describe: `compute backend: auto = tfjs-node if installed, else wasm, else cpu [default: $${BACKEND_ENV}, else auto]`,
} as const;

/** The flag's request, or undefined so that selectBackend falls back to $CAPTION_BACKEND. */
export function requestedBackend(flag: string | undefined): BackendRequest | undefined {
  return flag === undefined ? undefined : parseBackendRequest(flag, '--backend');
}
