/**
 * A trained checkpoint carries its encoder (`<checkpoint>/encoder/`, as the shipped model does), so
 * `caption --checkpoint <new>` needs no flag and no download. Before training, the encoder the features
 * came from is looked for locally — where extract-features read its weights, the `--init-from`
 * checkpoint's own copy, the shipped model's — cut at its annotation layer into `<run>/encoder/`, and
 * checked against the features' fingerprint; every best checkpoint then gets a copy. When no local
 * copy gives that fingerprint, the checkpoint goes without, and `caption` looks for the weights as
 * for any checkpoint (--encoder-weights, $CAPTION_ENCODER_WEIGHTS, the variant's online copy).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { shippedEncoder } from '../checkpoint/shipped.js';
import { isHttp } from '../encoder/model-files.js';
import { SHIPPED_ENCODER_DIR } from '../encoder/weights-source.js';
import { writeEncoderFolder } from '../encoder/write-encoder-folder.js';

export interface EncoderOrigin {
  /** The features' encoder fingerprint id. */
  encoder: string;
  /** Where extract-features read the weights (feature store header), if it recorded it. */
  weights?: string | undefined;
  /** `--init-from`, whose checkpoint may carry the same encoder. */
  initFrom?: string | undefined;
}

/** Local folders that may hold the encoder's weights, most specific first. */
function candidates(origin: EncoderOrigin): string[] {
  const out: string[] = [];
  if (origin.weights !== undefined && !isHttp(origin.weights)) out.push(origin.weights);
  if (origin.initFrom !== undefined) out.push(path.join(origin.initFrom, SHIPPED_ENCODER_DIR));
  const shipped = shippedEncoder();
  if (shipped?.id === origin.encoder) out.push(path.join(shipped.checkpoint, SHIPPED_ENCODER_DIR));
  return out.filter((dir) => existsSync(path.join(dir, 'model.json')));
}

/**
 * Writes the features' encoder into `out` from the first local copy that gives its fingerprint;
 * returns `out`, or undefined (with the reason logged) when there is none.
 */
export async function prepareCarriedEncoder(origin: EncoderOrigin, out: string, log: (line: string) => void): Promise<string | undefined> {
  const tried: string[] = [];
  for (const from of candidates(origin)) {
    try {
      const { bytes } = await writeEncoderFolder(origin.encoder, from, out, { expect: origin.encoder });
      log(`the checkpoint carries its encoder (${(bytes / 1e6).toFixed(1)} MB, from ${from})`);
      return out;
    } catch (err) {
      tried.push(`${from}: ${String((err as Error).message).split('\n')[0]}`);
    }
  }
  const where =
    origin.weights !== undefined && isHttp(origin.weights)
      ? `its weights are online (${origin.weights})`
      : 'no local copy of its weights was found';
  log(
    `the checkpoint does not carry its encoder ${origin.encoder}: ${where}${tried.length ? `; tried ${tried.join('; ')}` : ''}; \`caption\` will need them (--encoder-weights DIR, or npm run ship-encoder)`,
  );
  return undefined;
}
