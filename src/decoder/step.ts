/**
 * One decoding step at a time (inference: no dropout), for greedy and beam search.
 *
 * A state holds the attention memory of G images and N = G·k rows (hypotheses): row g·k + j decodes
 * image g. Expanding to k rows per image and reordering rows within their image (what beam search
 * does every step) only gathers h and c: the memory is neither copied k times nor gathered, and states
 * share one memory object, counted by reference (tf.clone copies on WASM).
 *
 * Dispose every state you no longer need with `disposeState`, including the input state after `step`
 * or `selectRows`; the memory goes when its last state does.
 */
import * as tf from '../util/tf.js';
import { logSoftmax } from '../fast-paths/ops.js';
import { argmaxRegion, disposeMemory, memoryOfImages, prepareMemory, type AttentionMemory } from './attention.js';
import type { ContextMode } from './context-mode.js';
import type { DecoderConfig } from './config.js';
import { core, coreWeights } from './core.js';
import { deepOutput } from './deep-output.js';
import { initialState } from './initial-state.js';
import type { DecoderParameters } from './parameters.js';
import { tidy } from './tidy.js';

/** Attention memory shared by several states. */
interface SharedMemory {
  memory: AttentionMemory; // features [G, L, D], keys [G, L, ·], maskBias [G, L]
  refs: number;
}

export interface DecoderState {
  readonly shared: SharedMemory;
  /** What each step's context vector is made of (see ContextMode); kept by the rows' descendants. */
  readonly contextMode: ContextMode;
  h: tf.Tensor2D; // [N, H], N = G·k
  c: tf.Tensor2D; // [N, H]
}

export interface StepOutput {
  /** log p(y_t | …) over the vocabulary. */
  logProbs: tf.Tensor2D; // [N, V]
  alpha: tf.Tensor2D; // [N, L]
  beta: tf.Tensor1D; // [N]
  state: DecoderState;
}

function share(shared: SharedMemory): SharedMemory {
  shared.refs++;
  return shared;
}

/** Attention memory and (h_0, c_0) for features [B, L, D] (copied: the caller keeps its tensor). */
export function initState(
  params: DecoderParameters,
  cfg: DecoderConfig,
  features: tf.Tensor3D,
  regionMask?: tf.Tensor2D,
  contextMode: ContextMode = 'expected',
): DecoderState {
  if (features.rank !== 3 || features.shape[2] !== cfg.featureDim) {
    throw new RangeError(`features must be [B, L, ${cfg.featureDim}], got [${features.shape.join(', ')}]`);
  }
  const { memory, h, c } = tidy(() => {
    const own = tf.clone(features); // [B, L, D]
    const mem = prepareMemory(params, cfg.scoring, own, regionMask);
    return { memory: mem, ...initialState(params, own, mem.maskBias) };
  });
  return { shared: { memory, refs: 1 }, contextMode, h, c };
}

function checkPrevTokens(prevTokens: tf.Tensor1D | readonly number[], N: number): void {
  const isTensor = prevTokens instanceof tf.Tensor;
  const length = isTensor ? prevTokens.shape[0] : prevTokens.length;
  if (length !== N) throw new RangeError(`step: ${length} previous tokens for ${N} state rows`);
  if (isTensor && (prevTokens.rank !== 1 || prevTokens.dtype !== 'int32')) {
    throw new TypeError(`step: previous tokens must be a 1-D int32 tensor, got ${prevTokens.rank}-D ${prevTokens.dtype}`);
  }
}

/** Feeds y_{t−1} (prevTokens, [N]) and returns p(y_t), α_t, β_t and the next state. */
export function step(
  params: DecoderParameters,
  cfg: DecoderConfig,
  state: DecoderState,
  prevTokens: tf.Tensor1D | readonly number[],
): StepOutput {
  const N = state.h.shape[0];
  checkPrevTokens(prevTokens, N);
  const out = tidy(() => {
    const prev = prevTokens instanceof tf.Tensor ? prevTokens : tf.tensor1d(prevTokens as number[], 'int32'); // [N]
    const embedded = tf.gather(params.get('embedding'), prev) as tf.Tensor2D; // [N, E]
    const select = state.contextMode === 'argmax' ? argmaxRegion : undefined;
    const { alpha, beta, context, h, c } = core(coreWeights(params, cfg.scoring), state.shared.memory, embedded, state.h, state.c, select); // [N, ·] each
    const logits = deepOutput(params, embedded, h, context, null); // [N, V]
    return {
      logProbs: logSoftmax(logits), // [N, V]
      alpha,
      beta: tf.reshape(beta, [N]) as tf.Tensor1D, // [N]
      h,
      c,
    };
  });
  return {
    logProbs: out.logProbs,
    alpha: out.alpha,
    beta: out.beta,
    state: { shared: share(state.shared), contextMode: state.contextMode, h: out.h, c: out.c },
  };
}

/**
 * How the rows of a new state map onto the memory's images: `shared` when row i decodes image
 * ⌊i / k'⌋ of the same memory (k' = rows.length / G); `images` when they come in equal blocks, one
 * image per block and no image twice (the memory is cut to those images, in that order: beam search
 * dropping the images it finished); `null` otherwise (the memory is gathered per row).
 */
function imageBlocks(rows: readonly number[], imageOf: (r: number) => number, G: number): 'shared' | number[] | null {
  const perBlock = rows.length / G;
  if (Number.isInteger(perBlock) && perBlock >= 1 && rows.every((r, i) => imageOf(r) === Math.floor(i / perBlock))) return 'shared';
  let size = 1;
  while (size < rows.length && imageOf(rows[size]!) === imageOf(rows[0]!)) size++;
  if (rows.length === 0 || rows.length % size !== 0) return null;
  const images: number[] = [];
  for (let i = 0; i < rows.length; i += size) {
    const image = imageOf(rows[i]!);
    for (let j = i; j < i + size; j++) if (imageOf(rows[j]!) !== image) return null;
    if (images.includes(image)) return null;
    images.push(image);
  }
  return images;
}

/**
 * A state whose row i is `state`'s row rows[i]. When every row stays with its image the memory is
 * shared; when the rows keep equal blocks per image the memory is cut to those images; otherwise it
 * is gathered per row (see imageBlocks).
 */
export function selectRows(state: DecoderState, rows: readonly number[]): DecoderState {
  const N = state.h.shape[0];
  for (const r of rows) {
    if (!Number.isInteger(r) || r < 0 || r >= N) throw new RangeError(`selectRows: row ${r} out of range [0, ${N})`);
  }
  const G = state.shared.memory.features.shape[0];
  const k = N / G;
  const imageOf = (r: number): number => Math.floor(r / k);
  const blocks = imageBlocks(rows, imageOf, G);
  const out = tidy(() => {
    const idx = tf.tensor1d(rows as number[], 'int32'); // [N']
    const images = blocks === 'shared' ? null : tf.tensor1d(blocks ?? rows.map(imageOf), 'int32'); // [G'] (blocks) or [N'] (per row)
    const memory: AttentionMemory | null = images && memoryOfImages(state.shared.memory, images);
    return { memory, h: tf.gather(state.h, idx) as tf.Tensor2D, c: tf.gather(state.c, idx) as tf.Tensor2D }; // [N', H] each
  });
  const shared = out.memory ? { memory: out.memory, refs: 1 } : share(state.shared);
  return { shared, contextMode: state.contextMode, h: out.h, c: out.c };
}

/** States already disposed: disposing twice must not release memory another state still shares. */
const disposed = new WeakSet<DecoderState>();

export function disposeState(state: DecoderState): void {
  if (disposed.has(state)) return;
  disposed.add(state);
  tf.dispose([state.h, state.c]);
  const shared = state.shared;
  if (--shared.refs > 0) return;
  disposeMemory(shared.memory);
}
