/**
 * The library's public types: what `loadCaptioner` takes and what a captioner returns. No engine is
 * imported here; these are plain data.
 */
import type * as tf from '@tensorflow/tfjs';

/** The compute backends the API can be asked for (`auto`: native if installed, else WASM, else CPU). */
export type BackendOption = 'auto' | 'tensorflow' | 'wasm' | 'webgl' | 'cpu';

export interface CaptionerOptions {
  /** A checkpoint folder (default: the shipped Flickr8k model). */
  checkpoint?: string;
  /** The encoder's weights, a folder or URL (default: what the checkpoint ships in `encoder/`, else its variant's online copy, downloaded once). */
  encoderWeights?: string;
  /** Default `auto`. */
  backend?: BackendOption;
  /** 1 = greedy; default: the checkpoint's (its decoding.json, chosen on dev), else 3. */
  beamSize?: number;
  /** Beam hypotheses ranked by log p / length^lengthPenalty; default: the checkpoint's, else 0. */
  lengthPenalty?: number;
  /** What each word's context is made of: `expected` (default) or, for hard attention, `argmax` (then each word has a `region`); default: the checkpoint's. */
  context?: 'expected' | 'argmax';
  /** Most words in a caption; default 20. */
  maxLength?: number;
}

/** A photo: a file path, its encoded bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF), or RGB pixels `[H, W, 3]` in 0..255. */
export type CaptionInput = string | Uint8Array | tf.Tensor3D;

export interface CaptionWordResult {
  word: string;
  /** α over the L = grid.height · grid.width cells, row-major; sums to 1. */
  alpha: Float32Array;
  /** The gate β ∈ (0, 1): how much the image entered this word. */
  beta: number;
  /** log p(word | photo, previous words). */
  logProb: number;
  /** With `context: 'argmax'` (hard attention): the one cell the word's context was made of. */
  region?: number;
}

export interface CaptionResult {
  /** As a person reads it ("a man's shirt"). */
  text: string;
  words: CaptionWordResult[];
  grid: { height: number; width: number };
  /** False when cut at maxLength before the model ended it. */
  finished: boolean;
  /** Σ log p of the words (and of <end> when finished). */
  logProb: number;
}

export interface OverlayRequest {
  /** Which word's attention to paint (index into `result.words`; default 0). */
  word?: number;
  colormap?: 'viridis' | 'greys' | 'jet';
  /** 0..1, default 0.6. */
  opacity?: number;
}

export interface Captioner {
  /** Captions for one input or several, in input order; batched internally. */
  caption(inputs: CaptionInput | readonly CaptionInput[]): Promise<CaptionResult[]>;
  /** One word's attention painted over the photo, as PNG bytes, at the photo's size. */
  overlay(input: CaptionInput, result: CaptionResult, request?: OverlayRequest): Promise<Uint8Array>;
  /** The encoder fingerprint and checkpoint in use. */
  readonly info: { checkpoint: string; encoder: string; backend: string; beamSize: number; lengthPenalty: number; context: 'expected' | 'argmax'; maxLength: number };
  /** Frees every tensor the captioner holds. */
  dispose(): void;
}
