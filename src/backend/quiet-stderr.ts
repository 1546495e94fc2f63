/**
 * Runs a function with file descriptor 2 pointed at /dev/null, through the small addon
 * native/quiet-stderr.cc (built by `npm run setup:native`): libtensorflow prints its start-up lines
 * from C++ straight to fd 2 while tfjs-node loads, and no env var silences all of them. Without the
 * addon, or with CAPTION_DEBUG=1 (to see why a native load crashes), `fn` runs as it is.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ADDON = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'node_modules',
  '.attend-caption-native',
  'quiet-stderr.node',
);

interface QuietStderr {
  redirect(file: string): number;
  restore(fd: number): void;
}

function addon(): QuietStderr | undefined {
  if (process.env['CAPTION_DEBUG']) return undefined;
  try {
    return createRequire(import.meta.url)(ADDON) as QuietStderr;
  } catch {
    return undefined;
  }
}

export async function withQuietStderr<T>(fn: () => Promise<T>): Promise<T> {
  const quiet = addon();
  if (!quiet) return fn();
  const saved = quiet.redirect('/dev/null');
  try {
    return await fn();
  } finally {
    quiet.restore(saved);
  }
}
