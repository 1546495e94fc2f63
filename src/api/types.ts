/**
 * The library's public types: what `loadCaptioner` takes and what a captioner returns. No engine is
 * imported here; these are plain data.
 */
import type * as tf from '../util/tf.js';
import type { TensorLike } from './tensor-input.js';
import type { NetworkOptions } from '../util/network.js';

export type { NetworkOptions } from '../util/network.js';

export type { TensorLike } from './tensor-input.js';

/** The compute backends the API can be asked for (`auto`: native if installed, else WASM, else CPU). */
export type BackendOption = 'auto' | 'tensorflow' | 'wasm' | 'webgl' | 'cpu';

/** How to decode: given at load (the captioner's defaults) or per `caption` call (overriding them). */
export interface DecodingOptions {
  /** 1 = greedy; default: the checkpoint's (its decoding.json, chosen on dev), else 3. */
  beamSize?: number;
  /** Beam hypotheses ranked by log p / length^lengthPenalty; default: the checkpoint's, else 0. */
  lengthPenalty?: number;
  /** What each word's context is made of: `expected` (default) or, for hard attention, `argmax` (then each word has a `region`); default: the checkpoint's. */
  context?: 'expected' | 'argmax';
  /** Most words in a caption; default 20. */
  maxLength?: number;
  /** Tag-guided decoding, when the checkpoint has a tagger and its decoding.json chose it (default true); false = the plain caption. */
  tags?: boolean;
}

export interface CaptionerOptions extends DecodingOptions, NetworkOptions {
  /** A checkpoint folder (default: the shipped Flickr8k model). */
  checkpoint?: string;
  /** The encoder's weights, a folder or URL (default: what the checkpoint ships in `encoder/`, else its variant's online copy, downloaded once). */
  encoderWeights?: string;
  /**
   * Default: the backend your tfjs has active (nothing is set or changed), or `auto` if it has none yet.
   * A name: that backend, brought up if needed and switched in only while the captioner computes (yours
   * is switched back after each call). `auto`: the best one that works here (native, else WASM, else
   * CPU), the same borrowing.
   */
  backend?: BackendOption;
  /**
   * Let the library tune the whole process for speed, as the `caption` CLI does: it picks and sets the
   * process's backend, starts WASM on threads (briefly patching Blob, URL.createObjectURL, os.cpus and
   * the Worker class while it starts), replaces tfjs's WASM Identity and Sum kernels with faster ones
   * and removes the handlers WASM's glue adds to `process`. Default false: none of that.
   */
  processWide?: boolean;
}

/** A photo: a file path, its encoded bytes (JPEG, PNG, WebP, GIF, TIFF, AVIF), or RGB pixels `[H, W, 3]` in 0..255. */
export type CaptionInput = string | Uint8Array | tf.Tensor3D | TensorLike;

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
  /** With tag-guided decoding: the tagger's COCO classes scoring ≥ 0.1, highest first, with the word captions use for each. */
  tags?: { cls: string; word: string; score: number }[];
  /** With tag-guided decoding, when a constraint was tried: the class (and any second class that could meet it), its words, and whether its caption was kept. */
  constraint?: { cls: string; classes: string[]; words: string[]; used: boolean; reason?: string };
}

export interface ExplainedWordResult {
  word: string;
  /** α of the step that predicts this word, over the grid's cells (row-major). */
  alpha: Float32Array;
  beta: number;
  /** log p(word | photo, the words before it); for an unknown word, of <unk>. */
  logProb: number;
  /** Not in the model's vocabulary (scored as <unk>). */
  unknown: boolean;
}

/** A given caption, decoded with teacher forcing: where the model would look for each of its words. */
export interface ExplainResult {
  text: string;
  words: ExplainedWordResult[];
  grid: { height: number; width: number };
  /** Σ log p over the words and <end>: rank candidate captions by it. */
  logLikelihood: number;
  /** The caption's words the model does not know (reported, never silently mapped). */
  outOfVocabulary: string[];
}

/** What a loaded captioner is: its checkpoint, encoder fingerprint, backend and default decoding (both platforms). */
export interface CaptionerInfo<Backend extends string = string> {
  checkpoint: string;
  encoder: string;
  backend: Backend;
  beamSize: number;
  lengthPenalty: number;
  context: 'expected' | 'argmax';
  maxLength: number;
  /** Whether captions are tag-guided by default (the checkpoint has a tagger and its decoding.json chose tags). */
  tags: boolean;
}

export interface OverlayRequest {
  /** Which word's attention to paint (index into `result.words`; default 0). */
  word?: number;
  colormap?: 'viridis' | 'greys' | 'jet';
  /** 0..1 at β = 1 (the map fades with the word's β), default 0.6. */
  opacity?: number;
  /** `fixed` (default: relative to uniform attention, so a diffuse map stays dark) or `relative` (to the map's peak). */
  scale?: 'fixed' | 'relative';
  /** Bicubic upsampling; default false: the grid's cells as they are. */
  smooth?: boolean;
}

export interface Captioner {
  /** Captions for one input or several, in input order; batched internally. `options` override the load-time decoding options for this call. */
  caption(inputs: CaptionInput | readonly CaptionInput[], options?: DecodingOptions): Promise<CaptionResult[]>;
  /** Where the model would look for each word of `text` (one caption or several) on the photo: teacher-forced decoding. */
  explain(input: CaptionInput, text: string | readonly string[]): Promise<ExplainResult[]>;
  /** One word's attention painted over the photo, as PNG bytes, at the photo's size. */
  overlay(input: CaptionInput, result: CaptionResult, request?: OverlayRequest): Promise<Uint8Array>;
  /** The encoder fingerprint and checkpoint in use. */
  readonly info: CaptionerInfo;
  /** Frees every tensor the captioner holds; using it afterwards is a CaptionerDisposedError. */
  dispose(): void;
}
