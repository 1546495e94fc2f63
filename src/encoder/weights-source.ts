/**
 * Where encoder weights come from when a command is not told: `--encoder-weights DIR|URL` (alias
 * `--mobilenet`), else $CAPTION_ENCODER_WEIGHTS (or the older $CAPTION_MOBILENET), else the copy a
 * checkpoint ships in its `encoder/` folder, else
 * (undefined) the variant's online copy, cached after one download. Every command that loads an
 * encoder asks here (caption, extract-features, bench, the API).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

const ENCODER_WEIGHTS_ENV = 'CAPTION_ENCODER_WEIGHTS';
/** The older name, still read. */
const MOBILENET_ENV = 'CAPTION_MOBILENET';

/** The folder inside a checkpoint that holds the weights of the encoder it was trained on. */
export const SHIPPED_ENCODER_DIR = 'encoder';

export function weightsSource(flag: string | undefined, checkpointDir?: string): string | undefined {
  const given = flag ?? (process.env[ENCODER_WEIGHTS_ENV] || process.env[MOBILENET_ENV] || undefined);
  if (given !== undefined || checkpointDir === undefined) return given;
  const shipped = path.join(checkpointDir, SHIPPED_ENCODER_DIR);
  return existsSync(path.join(shipped, 'model.json')) ? shipped : undefined;
}

/** The `--encoder-weights` flag (any encoder: MobileNet, converted ResNet…) as every command declares it; `--mobilenet` is its old name. */
export const MOBILENET_OPTION = {
  type: 'string',
  alias: 'encoder-weights',
  describe: `encoder weights: a local folder (model.json + shards) or a URL [default: $${ENCODER_WEIGHTS_ENV} (or $${MOBILENET_ENV}), else the checkpoint's own encoder/, else the variant's online copy, downloaded once into the cache]`,
} as const;
