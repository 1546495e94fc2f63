/** `loadEncoder(config)` in Node: the weights from a folder, a file:// or an http(s) URL (cached). */
import { encoderSource, loadEncoderFrom, type Encoder, type EncoderConfig } from './encoder.js';
import { modelFilesAt } from './model-files.js';
import type { NetworkOptions } from '../util/network.js';

export async function loadEncoder(config: EncoderConfig = {}, network: NetworkOptions = {}): Promise<Encoder> {
  return loadEncoderFrom(modelFilesAt(encoderSource(config), network), config);
}
