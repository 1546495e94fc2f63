/** `loadEncoder(config)` in Node: the weights from a folder, a file:// or an http(s) URL (cached). */
import type { Encoder, EncoderConfig } from './encoder.js';
import { encoderSource, loadEncoderFrom } from './load-encoder-from.js';
import { modelFilesAt } from './model-files-at.js';
import type { NetworkOptions } from '../util/network.js';

export async function loadEncoder(config: EncoderConfig = {}, network: NetworkOptions = {}): Promise<Encoder> {
  return loadEncoderFrom(modelFilesAt(encoderSource(config), network), config);
}
