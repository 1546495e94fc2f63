/** Caption search over a step model: greedy and beam search. */
export { beamSearch } from './beam.js';
export { greedyDecode } from './greedy.js';
export { lengthNormalizedScore } from './scoring.js';
export type { DecodedCaption, StepModel, StepResult } from './types.js';
