/** The soft-attention decoder of "Show, Attend and Tell" (Xu et al. 2015): public API. */
export {
  DecoderConfigError,
  SCORING_KINDS,
  resolveDecoderConfig,
  type AttentionScoring,
  type DecoderConfig,
  type DecoderConfigInput,
} from './config.js';
export { AttentionDecoder, createDecoder } from './decoder.js';
export { WeightsError, parameterSpecs } from './parameters.js';
