/** A captioner used after `dispose()`: a typed error, never a tfjs "tensor is disposed" deep inside. */
import { UserError } from '../util/user-error.js';

export class CaptionerDisposedError extends UserError {
  override name = 'CaptionerDisposedError';
  override readonly code: string = 'CAPTIONER_DISPOSED';
  constructor(method: string) {
    super(`captioner.${method}(): this captioner was disposed; load another with loadCaptioner()`);
  }
}

/** A flag the captioner's methods check first; `dispose` flips it (twice is harmless). */
export function lifetime(): { check(method: string): void; end(): boolean } {
  let alive = true;
  return {
    check(method) {
      if (!alive) throw new CaptionerDisposedError(method);
    },
    end() {
      const was = alive;
      alive = false;
      return was;
    },
  };
}
