/**
 * The model that ships inside the package (checkpoints/everyday: Flickr8k + COCO-1k, with its tagger) and the encoder it carries: the
 * default for `caption` and `loadCaptioner`, and the default encoder of `extract-features`.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { encoderConfigOf } from '../encoder/fingerprint.js';
import { SHIPPED_CHECKPOINT } from '../util/shipped-checkpoint-path.js';

export { SHIPPED_CHECKPOINT };

export interface ShippedEncoder {
  /** Its fingerprint id (the one in the shipped model.json). */
  id: string;
  variant: string;
  /** The checkpoint folder that carries its weights in `encoder/`. */
  checkpoint: string;
}

/** The shipped model's encoder, or undefined in a checkout without it. */
export function shippedEncoder(): ShippedEncoder | undefined {
  try {
    const model = JSON.parse(readFileSync(path.join(SHIPPED_CHECKPOINT, 'model.json'), 'utf8')) as { encoder?: unknown };
    if (typeof model.encoder !== 'string') return undefined;
    return { id: model.encoder, variant: encoderConfigOf(model.encoder).variant, checkpoint: SHIPPED_CHECKPOINT };
  } catch {
    return undefined;
  }
}
