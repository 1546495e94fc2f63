/** Exit codes of every command: 0 all good, 1 internal error, 2 bad usage or unreadable input. */
import { isUserError } from '../util/user-error.js';

export const EXIT_OK = 0;
const EXIT_INTERNAL = 1;
export const EXIT_USER = 2;

/** Prints an error the way a user should see it and returns the exit code. */
export function reportError(err: unknown, program: string): number {
  if (isUserError(err)) {
    process.stderr.write(`${program}: ${err.message}\n`);
    return EXIT_USER;
  }
  const e = err as Error;
  process.stderr.write(`${program}: internal error: ${e?.message ?? String(err)}\n`);
  if (process.env['CAPTION_DEBUG']) process.stderr.write(`${e?.stack ?? ''}\n`);
  else process.stderr.write(`${program}: set CAPTION_DEBUG=1 for a stack trace\n`);
  return EXIT_INTERNAL;
}
