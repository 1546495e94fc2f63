/**
 * attend-caption for Node.js: `import { loadCaptioner } from 'attend-caption'`.
 *
 *   const captioner = await loadCaptioner();                  // the shipped model, no download
 *   const [result] = await captioner.caption(['photo.jpg']);  // text, words with α, β, log p
 *   const png = await captioner.overlay('photo.jpg', result, { word: 2 });
 *   captioner.dispose();
 */
export { DEFAULT_CHECKPOINT, loadCaptioner } from './api/node.js';
export type {
  BackendOption,
  CaptionInput,
  CaptionResult,
  CaptionWordResult,
  Captioner,
  CaptionerInfo,
  CaptionerOptions,
  DecodingOptions,
  ExplainResult,
  ExplainedWordResult,
  NetworkOptions,
  OverlayRequest,
  TensorLike,
} from './api/types.js';
export { EncoderMismatchError, WeightsUnavailableError } from './encoder/errors.js';
export { ImageInputError } from './image/errors.js';
export { FileInputError, UserError } from './util/user-error.js';
export { CaptionerDisposedError } from './api/disposed.js';
