/**
 * A trained captioner: a checkpoint's decoder and vocabulary, ready to turn annotation vectors into
 * captions with, for every word, where the model looked (α over the grid), β and log p.
 */
import * as tf from '@tensorflow/tfjs';
import { BUILT_IN_DECODING, type DecodingDefaults } from '../checkpoint/decoding.js';
import { disposeCheckpoint, readCheckpoint, type AttentionGridSize, type CheckpointFiles } from '../checkpoint/read.js';
import { detokenize } from '../data/detokenize.js';
import { Vocabulary } from '../data/vocabulary.js';
import { createDecoder, type AttentionDecoder } from '../decoder/decoder.js';
import type { DecoderConfigInput } from '../decoder/config.js';
import { beamSearch } from './beam.js';
import { explainCaptions, type Explanation } from './explain.js';
import { greedyDecode } from './greedy.js';
import type { ContextMode, DecodedCaption } from './types.js';

/** The index of the largest value (the first of equals), as tf.argMax picks it. */
function argmaxIndex(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

export interface CaptionWord {
  word: string;
  /** α over the L = height·width regions, row-major; sums to 1. */
  alpha: number[];
  beta: number;
  logProb: number;
  /** With the `argmax` context: the region (cell index) the word's context was made of. */
  region?: number;
}

export interface Caption {
  /** The words as a person reads them (clitics joined: "a man's shirt"). */
  text: string;
  words: CaptionWord[];
  logProb: number;
  score: number;
  /** False when cut at the maximum length without <end>. */
  finished: boolean;
}

export interface DecodeSettings {
  /** 1 = greedy. */
  beamSize: number;
  maxLength: number;
  lengthPenalty?: number;
  /** Let <unk> appear (debugging); off by default. */
  allowUnk?: boolean;
  /** What each step's context is made of (default `expected`; `argmax` for hard-attention models). */
  context?: ContextMode;
}

export class Captioner {
  private constructor(
    readonly checkpointDir: string,
    readonly encoderId: string,
    readonly grid: AttentionGridSize,
    readonly vocab: Vocabulary,
    readonly decoder: AttentionDecoder,
    readonly training: unknown,
    /** The checkpoint's decoding defaults (decoding.json), else beam 3 and no length penalty. */
    readonly decoding: DecodingDefaults,
  ) {}

  /** From a checkpoint's files (a folder in Node: `checkpointFolder(dir)`; a URL in a browser). */
  static async read(files: CheckpointFiles): Promise<Captioner> {
    const ckpt = await readCheckpoint(files);
    try {
      const vocab = Vocabulary.fromJSON(ckpt.vocab, files.location('vocab.json'));
      const decoder = createDecoder(ckpt.config as DecoderConfigInput, { weights: ckpt.weights });
      return new Captioner(files.location(''), ckpt.encoder, ckpt.grid, vocab, decoder, ckpt.training, ckpt.decoding ?? { ...BUILT_IN_DECODING });
    } finally {
      disposeCheckpoint(ckpt);
    }
  }

  /** Captions for a batch of annotation vectors `[B, L, D]`. */
  caption(features: tf.Tensor3D, settings: DecodeSettings): Caption[] {
    const context = settings.context ?? 'expected';
    const options = { maxLength: settings.maxLength, lengthPenalty: settings.lengthPenalty ?? 0, allowUnk: settings.allowUnk ?? false, context };
    const decoded: DecodedCaption[] =
      settings.beamSize <= 1
        ? greedyDecode(this.decoder, features, options)
        : beamSearch(this.decoder, features, { ...options, beamSize: settings.beamSize });
    return decoded.map((d) => {
      const words = d.words.map((w) => ({
        word: this.vocab.word(w.token),
        alpha: w.alpha,
        beta: w.beta,
        logProb: w.logProb,
        ...(context === 'argmax' ? { region: argmaxIndex(w.alpha) } : {}),
      }));
      return { text: detokenize(words.map((w) => w.word)), words, logProb: d.logProb, score: d.score, finished: d.finished };
    });
  }

  /** Teacher-forced: where the model looks for each word of the given captions (explain.ts). */
  explain(features: tf.Tensor3D, texts: readonly string[]): Explanation[] {
    return explainCaptions(this.decoder, this.vocab, features, texts);
  }

  dispose(): void {
    this.decoder.dispose();
  }
}
