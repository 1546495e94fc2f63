/**
 * Errors caused by the user's input (a bad file, a bad flag). The CLI prints their one-line message
 * and exits with `exitCode` (2), never a stack trace. Anything else is an internal error (exit 1).
 */
export class UserError extends Error {
  override name = 'UserError';
  /** A stable name for programs to branch on (the message is for people and may change). */
  readonly code: string = 'USER_ERROR';
  /** What the CLI exits with (the library never exits). */
  readonly exitCode = 2;
}

/** A file the user gave us that we cannot use: the message always starts with the file's path. */
export class FileInputError extends UserError {
  override name = 'FileInputError';
  override readonly code: string = 'FILE_INPUT';
  constructor(
    readonly file: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}`, options);
  }
}

export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
