/** The encoder's public API: photos → annotation vectors [B, L, D] (see encoder.ts). */
export { DEFAULT_BATCH_SIZE, type Encoder, type EncoderConfig } from './encoder.js';
export { loadEncoderFrom } from './load-encoder-from.js';
export { loadEncoder } from './load-encoder.js';
export { imagesToBatch, scaleToInputRange } from './preprocess.js';
export { assertSameEncoder, fingerprintId, hashWeights, makeFingerprint, type EncoderFingerprint } from './fingerprint.js';
export {
  DEFAULT_VARIANT,
  ENCODER_VARIANTS,
  VARIANT_NAMES,
  variantNamed,
  type EncoderFormat,
  type EncoderVariant,
  type EncoderVariantName,
  type MobileNetAlpha,
} from './variants.js';
export { fileSystemHandler } from './fs-io.js';
export { readArtifacts, type ReadArtifactsOptions, type WeightSelection } from './artifacts.js';
export { cutAtLayer } from './cut-layers.js';
export { EncoderMismatchError, LOCAL_WEIGHTS_HINT, WeightsUnavailableError } from './errors.js';
