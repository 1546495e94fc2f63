/** The `caption` command's work: resolve the checkpoint, then caption every image. */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/user-error.js';
import { DEFAULT_CHECKPOINTS, type CaptionArgs } from './caption-options.js';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The checkpoint to use: the flag's, else the first shipped default that exists. */
export function resolveCheckpoint(flag: string | undefined): string {
  if (flag !== undefined) {
    if (!existsSync(path.join(flag, 'model.json'))) {
      throw new UserError(`${flag}: not a checkpoint folder (no model.json)`);
    }
    return flag;
  }
  for (const rel of DEFAULT_CHECKPOINTS) {
    const dir = path.join(PROJECT_ROOT, rel);
    if (existsSync(path.join(dir, 'model.json'))) return dir;
  }
  throw new UserError(
    `no checkpoint found (looked in ${DEFAULT_CHECKPOINTS.join(', ')}): train one with \`npm run train\` or pass --checkpoint <dir>`,
  );
}

export async function runCaption(args: CaptionArgs): Promise<number> {
  resolveCheckpoint(args.checkpoint);
  throw new UserError('captioning needs the decoder, which this build does not include yet');
}
