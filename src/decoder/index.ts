/** The soft-attention decoder of "Show, Attend and Tell" (Xu et al. 2015): public API. */
export {
  DECODER_DEFAULTS,
  DecoderConfigError,
  NUM_SPECIAL_TOKENS,
  SCORING_KINDS,
  resolveDecoderConfig,
  type AttentionScoring,
  type DecoderConfig,
  type DecoderConfigInput,
} from './config.js';
export { AttentionDecoder, createDecoder, type CreateDecoderOptions } from './decoder.js';
export type { ForwardOptions, ForwardOutput } from './forward.js';
export type { LossOptions, LossOutput } from './loss.js';
export type { HardAttentionLossOptions, HardAttentionLossOutput } from './hard-attention.js';
export { argmaxRegion, givenRegions, sampleRegions, type RegionSelector } from './attention.js';
export { GATE_ORDER, WeightsError, parameterSpecs, type ParamName } from './parameters.js';
export type { DecoderState, StepOutput } from './step.js';
export type { AttentionMemory } from './attention.js';
