/** The encoder's user-facing failures: one line each, CLI exit code 2 (see UserError). */
import { UserError } from '../util/user-error.js';

/** What to tell a user whose weights cannot be downloaded. */
const LOCAL_WEIGHTS_HINT = 'pass --encoder-weights <dir> with a local copy (see README)';

/** The weights could not be fetched from a URL (offline, server error, bad address). */
export class WeightsUnavailableError extends UserError {
  override name = 'WeightsUnavailableError';
  override readonly code: string = 'WEIGHTS_UNAVAILABLE';
  constructor(
    readonly url: string,
    readonly reason: string,
    /** The checkpoint that needed them, and its encoder's fingerprint id: the message names both. */
    readonly needed?: { checkpoint: string; encoder: string },
    /** The failure underneath (fetch's TypeError, with its own cause: DNS, TLS, connection refused…). */
    options?: { cause?: unknown },
  ) {
    super(
      needed
        ? `${needed.checkpoint}: its encoder (${needed.encoder}) is not inside it and cannot be downloaded from ${hostOf(url)} (${reason}): ` +
            `pass --encoder-weights <dir> with those weights, or put them inside once with \`npm run ship-encoder -- --checkpoint ${needed.checkpoint} --from <dir>\``
        : `cannot download encoder weights from ${hostOf(url)} (${reason}): ${LOCAL_WEIGHTS_HINT}`,
      options,
    );
  }
}

/** A decoder checkpoint met an encoder other than the one it was trained on. */
export class EncoderMismatchError extends UserError {
  override name = 'EncoderMismatchError';
  override readonly code: string = 'ENCODER_MISMATCH';
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
