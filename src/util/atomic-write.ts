/** Atomic file output: write to a temp file beside the target, then rename over it. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

let serial = 0;

/** A temp name beside `target`, unique within the process (two writes in one millisecond included). */
function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${Date.now()}.${serial++}.tmp`);
}

/** Writes `data` to `target` so readers see either the old file or the whole new one, never a part. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = tempPathFor(target);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Same, for a JSON value (pretty-printed, trailing newline). */
export function writeJsonAtomic(target: string, value: unknown): Promise<void> {
  return writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}
