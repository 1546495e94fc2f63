/** A decoded caption → the API's CaptionResult (α as Float32Array, the grid it is over). */
import type { Caption } from '../search/captioner.js';
import type { CaptionResult } from './types.js';

export function toCaptionResult(c: Caption, grid: { height: number; width: number }): CaptionResult {
  return {
    text: c.text,
    words: c.words.map((w) => ({ word: w.word, alpha: Float32Array.from(w.alpha), beta: w.beta, logProb: w.logProb, ...(w.region !== undefined ? { region: w.region } : {}) })),
    grid: { ...grid },
    finished: c.finished,
    logProb: c.logProb,
  };
}
