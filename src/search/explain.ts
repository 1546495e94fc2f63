/**
 * "Where would you look for *my* words?": teacher-forced decoding of given captions. Each caption is
 * tokenized as training tokenizes it and fed word by word (y_0 = <start>); for every word the step that
 * predicts it gives α over the grid, β, and log p(word | earlier words, image) — the training loss's
 * term for it, so the sum is the caption's log-likelihood and ranks candidate captions. The closing
 * <end> is scored too (its log p is part of the likelihood) but not listed as a word. Words outside the
 * vocabulary are scored as <unk>, marked, and listed in `outOfVocabulary`.
 */
import * as tf from '../util/tf.js';
import { tokenize } from '../data/tokenize.js';
import { PAD_ID, UNK_ID, type Vocabulary } from '../data/vocabulary.js';
import type { AttentionDecoder } from '../decoder/decoder.js';

interface ExplainedWord {
  word: string;
  /** α over the L regions (row-major), of the step that predicts this word. */
  alpha: number[];
  beta: number;
  /** log p(word | the words before it, the image); for an unknown word, log p(<unk> | …). */
  logProb: number;
  /** True when the word is not in the vocabulary (scored as <unk>). */
  unknown: boolean;
}

export interface Explanation {
  words: ExplainedWord[];
  /** log p(<end> | the whole caption, the image). */
  endLogProb: number;
  /** Σ log p over the words and <end>: the caption's log-likelihood (−the training cross-entropy). */
  logLikelihood: number;
  /** The caption's words that are not in the vocabulary, in order (repeats kept once). */
  outOfVocabulary: string[];
}

/**
 * Explains `texts[b]` against `features[b]` (`[B, L, D]`, one row per caption; repeat an image's row
 * to explain several captions of it). A caption with no word is a RangeError.
 */
export function explainCaptions(
  decoder: AttentionDecoder,
  vocab: Vocabulary,
  features: tf.Tensor3D,
  texts: readonly string[],
): Explanation[] {
  if (texts.length !== features.shape[0]) throw new RangeError(`${texts.length} captions for ${features.shape[0]} feature rows`);
  const words = texts.map((t) => tokenize(t));
  words.forEach((w, b) => {
    if (w.length === 0) throw new RangeError(`caption ${b + 1} has no words: ${JSON.stringify(texts[b])}`);
  });
  const ids = words.map((w) => vocab.encode(w, w.length)); // [<start>, w1…wn, <end>]
  const T = Math.max(...ids.map((s) => s.length)) - 1;
  const inputs = ids.map((s) => [...s.slice(0, -1), ...Array<number>(T + 1 - s.length).fill(PAD_ID)]);
  const targets = ids.map((s) => [...s.slice(1), ...Array<number>(T + 1 - s.length).fill(PAD_ID)]);
  const [alphas, betas, logProbs] = tf.tidy(() => {
    const out = decoder.forward(features, tf.tensor2d(inputs, [texts.length, T], 'int32')); // logits [B, T, V], alphas [B, T, L], betas [B, T]
    const logp = tf.logSoftmax(out.logits); // [B, T, V]
    const picked = tf.sum(tf.mul(logp, tf.oneHot(tf.tensor2d(targets, [texts.length, T], 'int32'), logp.shape[2])), 2); // [B, T]
    return [out.alphas.arraySync(), out.betas.arraySync(), (picked as tf.Tensor2D).arraySync()] as const;
  });
  return words.map((ws, b) => {
    const n = ws.length;
    const explained = ws.map((word, t) => ({
      word,
      alpha: alphas[b]![t]!,
      beta: betas[b]![t]!,
      logProb: logProbs[b]![t]!,
      unknown: ids[b]![t + 1] === UNK_ID && word !== vocab.word(UNK_ID),
    }));
    const endLogProb = logProbs[b]![n]!;
    return {
      words: explained,
      endLogProb,
      logLikelihood: explained.reduce((s, w) => s + w.logProb, endLogProb),
      outOfVocabulary: [...new Set(explained.filter((w) => w.unknown).map((w) => w.word))],
    };
  });
}
