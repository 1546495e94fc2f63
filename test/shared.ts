/**
 * Where the developers' shared data lives (weights, Flickr8k, sample photos). One place: the
 * CAPTION_SHARED_DIR env var, default `../shared` beside the checkout. Tests that need it use
 * `describeWithShared`, which skips them with a clear message when it is absent.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const SHARED_DIR = path.resolve(repoRoot, process.env['CAPTION_SHARED_DIR'] ?? '../shared');
export const HAS_SHARED = existsSync(path.join(SHARED_DIR, 'weights'));

export const sharedPath = (...parts: string[]): string => path.join(SHARED_DIR, ...parts);

if (!HAS_SHARED) {
  process.stderr.write(`[test] shared data not found at ${SHARED_DIR} (set CAPTION_SHARED_DIR): tests that need it are skipped\n`);
}

/** `describe` for tests that need ../shared: skipped, with the reason in its name, when it is missing. */
export function describeWithShared(name: string, body: () => void): void {
  if (HAS_SHARED) describe(name, body);
  else describe.skip(`${name} [skipped: no shared data at ${SHARED_DIR}; set CAPTION_SHARED_DIR]`, body);
}

/** `describeWithShared` for tests of a shipped checkpoint: skipped with a message when it is not in this checkout. */
export function describeWithCheckpoint(checkpointDir: string, name: string, body: () => void): void {
  if (existsSync(path.join(checkpointDir, 'model.json'))) describeWithShared(name, body);
  else describe.skip(`${name} [skipped: no ${path.relative(repoRoot, checkpointDir)} in this checkout]`, body);
}

/** A checkpoint folder of this checkout, e.g. `checkpointPath('shapes')`. */
export const checkpointPath = (name: string): string => path.join(repoRoot, 'checkpoints', name);
