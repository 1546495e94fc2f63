/** A decoded caption → the API's CaptionResult (α as Float32Array, the grid it is over). */
import type { Caption } from '../model/caption-model.js';
import type { Explanation } from '../search/explain.js';
import { DEFAULT_DISPLAY, type DisplayOptions } from '../overlay/display.js';
import type { CaptionResult, ExplainResult, OverlayRequest } from './types.js';

/** An overlay request as the display rules' options (overlay/display.ts), defaults filled in. */
export function displayRequest(r: OverlayRequest): DisplayOptions {
  return {
    colormap: r.colormap ?? DEFAULT_DISPLAY.colormap,
    opacity: r.opacity ?? DEFAULT_DISPLAY.opacity,
    scale: r.scale ?? DEFAULT_DISPLAY.scale,
    upsample: r.smooth ? 'smooth' : DEFAULT_DISPLAY.upsample,
  };
}

export function toCaptionResult(c: Caption, grid: { height: number; width: number }): CaptionResult {
  return {
    text: c.text,
    words: c.words.map((w) => ({
      word: w.word,
      alpha: Float32Array.from(w.alpha),
      beta: w.beta,
      logProb: w.logProb,
      ...(w.region !== undefined ? { region: w.region } : {}),
    })),
    grid: { ...grid },
    finished: c.finished,
    logProb: c.logProb,
    ...(c.tags ? { tags: c.tags.filter((t) => t.score >= 0.1).map((t) => ({ cls: t.cls, word: t.word, score: t.score })) } : {}),
    ...(c.constraint ? { constraint: { ...c.constraint, classes: [...c.constraint.classes], words: [...c.constraint.words] } } : {}),
  };
}

export function toExplainResult(text: string, e: Explanation, grid: { height: number; width: number }): ExplainResult {
  return {
    text,
    words: e.words.map((w) => ({ word: w.word, alpha: Float32Array.from(w.alpha), beta: w.beta, logProb: w.logProb, unknown: w.unknown })),
    grid: { ...grid },
    logLikelihood: e.logLikelihood,
    outOfVocabulary: [...e.outOfVocabulary],
  };
}
