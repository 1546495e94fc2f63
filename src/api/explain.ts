/** `captioner.explain` on both platforms: teacher-forced decoding of given captions (search/explain.ts), as API results. */
import type * as tf from '../util/tf.js';
import type { CaptionModel } from '../model/caption-model.js';
import { UserError } from '../util/user-error.js';
import { toExplainResult } from './result.js';
import type { ExplainResult } from './types.js';

/** `features` has one row per text (the photo's row repeated). */
export function explainTexts(decoder: CaptionModel, features: tf.Tensor3D, texts: readonly string[]): ExplainResult[] {
  if (texts.length === 0) throw new UserError('explain: give at least one caption');
  let explained;
  try {
    explained = decoder.explain(features, texts);
  } catch (err) {
    if (err instanceof RangeError) throw new UserError(`explain: ${err.message}`);
    throw err;
  }
  return explained.map((e, i) => toExplainResult(texts[i]!, e, decoder.grid));
}
