/**
 * What caption search needs from a model, and what it returns. Search is written against this small
 * step interface only, so it can run on the real decoder or on a hand-built model in tests.
 */
import type * as tf from '../util/tf.js';
import { END_ID, PAD_ID, START_ID, UNK_ID } from '../data/vocabulary.js';

import { CONTEXT_MODES, type ContextMode } from '../decoder/context-mode.js';

export { type ContextMode };

/** One step of a model over N rows (hypotheses); `AttentionDecoder` implements it. */
export interface StepModel<S> {
  /** A state with one row per image; its rows and their descendants make their contexts as `context` says. */
  initState(features: tf.Tensor3D, regionMask?: tf.Tensor2D, contextMode?: ContextMode): S;
  /** Feeds the previous token of each row; the input state stays valid (dispose it yourself). */
  step(state: S, prevTokens: readonly number[]): StepResult<S>;
  /** A new state whose row i is row rows[i] of `state`. */
  selectRows(state: S, rows: readonly number[]): S;
  disposeState(state: S): void;
}

export interface StepResult<S> {
  logProbs: tf.Tensor2D; // [N, V]
  alpha: tf.Tensor2D; // [N, L]
  beta: tf.Tensor1D; // [N]
  state: S;
}

/** One generated word with where the model looked when it chose it. */
export interface DecodedWord {
  token: number;
  /** α over the L regions (sums to 1). */
  alpha: number[];
  /** The gate β ∈ (0, 1). */
  beta: number;
  /** log p(word | image, previous words). */
  logProb: number;
}

export interface DecodedCaption {
  /** Word ids, without <start> and <end>. */
  tokens: number[];
  words: DecodedWord[];
  /** Σ log p over the words, plus log p(<end>) when the caption ended. */
  logProb: number;
  /** What hypotheses were ranked by: logProb / steps^lengthPenalty (steps counts <end> if emitted). */
  score: number;
  /** Whether <end> was emitted (false: cut at maxLength). */
  finished: boolean;
}

export interface SearchOptions {
  /** Most words to generate, <end> not counted (default 20). */
  maxLength?: number;
  /** α of the length normalisation logp / len^α (default 0: plain log-probability). */
  lengthPenalty?: number;
  /** [B, L] region mask passed to the model (1 = visible). */
  regionMask?: tf.Tensor2D;
  startToken?: number;
  endToken?: number;
  /** Ids never generated (default: <pad>, <start> and <unk>, or without <unk> when `allowUnk`). */
  suppressTokens?: readonly number[];
  /** Let <unk> be generated (debugging a vocabulary); by default a caption never contains it. */
  allowUnk?: boolean;
  /** What each word's context vector is made of (hard attention: `argmax`); default `expected`. */
  contextMode?: ContextMode;
}

export interface BeamSearchOptions extends SearchOptions {
  /** k (default 3). */
  beamSize?: number;
}

export interface BeamSearchResult extends DecodedCaption {
  /** Up to k hypotheses for this image, best first (the first is this result itself). */
  hypotheses: DecodedCaption[];
}

export interface ResolvedSearchOptions {
  contextMode: ContextMode;
  maxLength: number;
  lengthPenalty: number;
  regionMask: tf.Tensor2D | undefined;
  startToken: number;
  endToken: number;
  suppressTokens: readonly number[];
}

export function resolveSearchOptions(o: SearchOptions): ResolvedSearchOptions {
  const maxLength = o.maxLength ?? 20;
  const lengthPenalty = o.lengthPenalty ?? 0;
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`maxLength must be a positive integer (got ${maxLength})`);
  if (!Number.isFinite(lengthPenalty) || lengthPenalty < 0) throw new RangeError(`lengthPenalty must be ≥ 0 (got ${lengthPenalty})`);
  const contextMode = o.contextMode ?? 'expected';
  if (!CONTEXT_MODES.includes(contextMode))
    throw new RangeError(`contextMode must be ${CONTEXT_MODES.join(' or ')} (got ${String(contextMode)})`);
  return {
    contextMode,
    maxLength,
    lengthPenalty,
    regionMask: o.regionMask,
    startToken: o.startToken ?? START_ID,
    endToken: o.endToken ?? END_ID,
    suppressTokens: o.suppressTokens ?? (o.allowUnk ? [PAD_ID, START_ID] : [PAD_ID, START_ID, UNK_ID]),
  };
}
