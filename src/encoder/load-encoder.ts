/** `loadEncoder(config)` in Node: the weights from a folder, a file:// or an http(s) URL (cached). */
import { encoderSource, loadEncoderFrom, type Encoder, type EncoderConfig } from './encoder.js';
import { modelFilesAt } from './model-files.js';

export async function loadEncoder(config: EncoderConfig = {}): Promise<Encoder> {
  return loadEncoderFrom(modelFilesAt(encoderSource(config)), config);
}
