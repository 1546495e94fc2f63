/**
 * A trained model, as loaded from its checkpoint: the decoder, the vocabulary, the decoding defaults
 * (decoding.json) and the object tagger, ready to turn annotation vectors into captions with, for
 * every word, where the model looked (α over the grid), β and log p. Search (src/search/) does the
 * decoding; the library's `Captioner` (src/api/) adds the encoder and photos around it.
 */
import * as tf from '../util/tf.js';
import { BUILT_IN_DECODING, type DecodingDefaults } from '../checkpoint/decoding.js';
import { disposeCheckpoint, readCheckpoint, type AttentionGridSize, type CheckpointFiles } from '../checkpoint/read.js';
import { detokenize } from '../data/detokenize.js';
import { Vocabulary } from '../data/vocabulary.js';
import { createDecoder, type AttentionDecoder } from '../decoder/decoder.js';
import type { DecoderConfigInput } from '../decoder/config.js';
import { readTagger } from '../tagger/tagger-file.js';
import type { Tag, Tagger } from '../tagger/tagger.js';
import { beamSearch } from '../search/beam.js';
import { constrainedBeamSearch } from '../search/constrained-beam.js';
import { chooseConstraint, keepConstrained, type ConstraintOutcome, type TagSettings } from '../search/tag-guided.js';
import { explainCaptions, type Explanation } from '../search/explain.js';
import { greedyDecode } from '../search/greedy.js';
import type { BeamSearchOptions, ContextMode, DecodedCaption } from '../search/types.js';

/** The index of the largest value (the first of equals), as tf.argMax picks it. */
function argmaxIndex(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

interface CaptionWord {
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
  /** With tag-guided decoding: every class the tagger scored, highest first. */
  tags?: Tag[];
  /** With tag-guided decoding, when a constraint was tried: which, and whether its caption was kept. */
  constraint?: ConstraintOutcome;
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
  /** Tag-guided decoding (tag-guided.ts) with these settings, when the checkpoint has a tagger; off if absent. */
  tags?: TagSettings | undefined;
}

export class CaptionModel {
  private constructor(
    readonly checkpointDir: string,
    readonly encoderId: string,
    readonly grid: AttentionGridSize,
    readonly vocab: Vocabulary,
    readonly decoder: AttentionDecoder,
    readonly training: unknown,
    /** The checkpoint's decoding defaults (decoding.json), else beam 3 and no length penalty. */
    readonly decoding: DecodingDefaults,
    /** The checkpoint's object tagger (tagger.json), if it has one. */
    readonly tagger: Tagger | undefined = undefined,
  ) {}

  /**
   * From a checkpoint's files (a folder in Node: `checkpointFolder(dir)`; a URL in a browser). Its
   * tagger is read when its decoding.json turns tags on, or when `withTagger` asks (so a browser never
   * requests a tagger.json that is not there).
   */
  static async read(files: CheckpointFiles, withTagger = false): Promise<CaptionModel> {
    const ckpt = await readCheckpoint(files);
    try {
      const vocab = Vocabulary.fromJSON(ckpt.vocab, files.location('vocab.json'));
      const tagger = withTagger || ckpt.decoding?.tags ? await readTagger(files, ckpt.encoder) : undefined; // before the decoder: nothing to free if it fails
      const decoder = createDecoder(ckpt.config as DecoderConfigInput, { weights: ckpt.weights });
      return new CaptionModel(
        files.location(''),
        ckpt.encoder,
        ckpt.grid,
        vocab,
        decoder,
        ckpt.training,
        ckpt.decoding ?? { ...BUILT_IN_DECODING },
        tagger,
      );
    } finally {
      disposeCheckpoint(ckpt);
    }
  }

  /**
   * Captions for a batch of annotation vectors `[B, L, D]`; `photos` ([B, S, S, 3] in 0..255, the
   * encoder's input) are needed for tag-guided decoding when the tagger has a detector.
   */
  caption(features: tf.Tensor3D, settings: DecodeSettings, photos?: tf.Tensor4D): Caption[] {
    const contextMode = settings.context ?? 'expected';
    const options: BeamSearchOptions = {
      maxLength: settings.maxLength,
      lengthPenalty: settings.lengthPenalty ?? 0,
      allowUnk: settings.allowUnk ?? false,
      contextMode,
    };
    const decoded: DecodedCaption[] =
      settings.beamSize <= 1
        ? greedyDecode(this.decoder, features, options)
        : beamSearch(this.decoder, features, { ...options, beamSize: settings.beamSize });
    const plain = decoded.map((d) => this.toCaption(d, contextMode));
    if (!settings.tags || !this.tagger) return plain;
    return this.guideByTags(this.tagger.tag(features, photos), features, plain, settings.tags, { ...options, beamSize: settings.beamSize });
  }

  /** Tag-guided decoding (tag-guided.ts): a constrained caption where the tagger sees an unnamed object. */
  private guideByTags(
    tags: Tag[][],
    features: tf.Tensor3D,
    plain: Caption[],
    tagSettings: TagSettings,
    options: BeamSearchOptions,
  ): Caption[] {
    const chosen = plain.map((c, b) =>
      chooseConstraint(
        tags[b]!,
        c.words.map((w) => w.word),
        this.vocab,
        tagSettings,
      ),
    );
    const rows = chosen.flatMap((c, b) => (c ? [b] : []));
    const constrained = new Map<number, DecodedCaption>();
    if (rows.length) {
      const subset = tf.tidy(() => tf.gather(features, rows)) as tf.Tensor3D; // [R, L, D]
      try {
        constrainedBeamSearch(
          this.decoder,
          subset,
          rows.map((b) => chosen[b]!.ids),
          options,
        ).forEach((d, i) => constrained.set(rows[i]!, d));
      } finally {
        subset.dispose();
      }
    }
    return plain.map((p, b) => {
      const c = chosen[b];
      if (!c) return { ...p, tags: tags[b]! };
      const d = constrained.get(b);
      const used = keepConstrained(p, d, tagSettings.margin);
      const outcome: ConstraintOutcome = {
        cls: c.cls,
        classes: c.classes,
        words: c.words,
        used,
        ...(used ? {} : { reason: d && d.finished && d.words.length ? 'less likely' : 'no caption found' }),
      };
      return { ...(used ? this.toCaption(d!, options.contextMode ?? 'expected') : p), tags: tags[b]!, constraint: outcome };
    });
  }

  private toCaption(d: DecodedCaption, context: ContextMode): Caption {
    const words = d.words.map((w) => ({
      word: this.vocab.word(w.token),
      alpha: w.alpha,
      beta: w.beta,
      logProb: w.logProb,
      ...(context === 'argmax' ? { region: argmaxIndex(w.alpha) } : {}),
    }));
    return { text: detokenize(words.map((w) => w.word)), words, logProb: d.logProb, score: d.score, finished: d.finished };
  }

  /** Teacher-forced: where the model looks for each word of the given captions (explain.ts). */
  explain(features: tf.Tensor3D, texts: readonly string[]): Explanation[] {
    return explainCaptions(this.decoder, this.vocab, features, texts);
  }

  dispose(): void {
    this.decoder.dispose();
    this.tagger?.dispose();
  }
}
