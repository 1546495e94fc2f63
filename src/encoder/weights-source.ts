/**
 * Where encoder weights come from when a command is not told: `--encoder-weights DIR|URL` (alias
 * `--mobilenet`), else $CAPTION_ENCODER_WEIGHTS (or the older $CAPTION_MOBILENET), else the copy a
 * checkpoint ships in its `encoder/` folder, else
 * (undefined) the variant's online copy, cached after one download. Every command that loads an
 * encoder asks here (caption, extract-features, bench, the API).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { SHIPPED_ENCODER_DIR } from './model-files.js';

export { SHIPPED_ENCODER_DIR };

export const ENCODER_WEIGHTS_ENV = 'CAPTION_ENCODER_WEIGHTS';
/** The older name, still read. */
export const MOBILENET_ENV = 'CAPTION_MOBILENET';

export function weightsSource(flag: string | undefined, checkpointDir?: string): string | undefined {
  const given = flag ?? (process.env[ENCODER_WEIGHTS_ENV] || process.env[MOBILENET_ENV] || undefined);
  if (given !== undefined || checkpointDir === undefined) return given;
  const shipped = path.join(checkpointDir, SHIPPED_ENCODER_DIR);
  return existsSync(path.join(shipped, 'model.json')) ? shipped : undefined;
}
