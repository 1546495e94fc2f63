/** The `--encoder-weights` flag as every command that loads an encoder declares it (src/encoder/weights-source.ts). */
import { ENCODER_WEIGHTS_ENV, MOBILENET_ENV } from '../encoder/weights-source.js';

/** Any encoder's weights (MobileNet, a converted ResNet…); `--mobilenet` is its old name, still accepted. */
export const ENCODER_WEIGHTS_OPTION = {
  type: 'string',
  alias: 'mobilenet',
  describe: `encoder weights: a local folder (model.json + shards) or a URL [default: $${ENCODER_WEIGHTS_ENV} (or $${MOBILENET_ENV}), else the checkpoint's own encoder/, else the variant's online copy, downloaded once into the cache]`,
} as const;
