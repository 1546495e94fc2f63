/** The encoder's public API: photos → annotation vectors [B, L, D] (see encoder.ts). */
export { type Encoder } from './encoder.js';
export { loadEncoder } from './load-encoder.js';
export { imagesToBatch, scaleToInputRange } from './preprocess.js';
export { assertSameEncoder, makeFingerprint, type EncoderFingerprint } from './fingerprint.js';
export { ENCODER_VARIANTS, variantNamed } from './variants.js';
export { fileSystemHandler } from './fs-io.js';
export { readArtifacts } from './artifacts.js';
export { cutAtLayer } from './cut-layers.js';
export { EncoderMismatchError, WeightsUnavailableError } from './errors.js';
