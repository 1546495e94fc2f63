/** What `caption` reports per image: the text line, and the `--json` object. */
import type { Caption } from '../model/caption-model.js';
import type { Explanation } from '../search/explain.js';

export interface CaptionRecord {
  file: string;
  caption: string;
  tokens: string[];
  /** The attention grid; each word's α has height·width numbers, row-major. */
  grid: { height: number; width: number };
  /** `region`: with `--context argmax`, the cell the word's context was made of. */
  words: { word: string; alpha: number[]; beta: number; logProb: number; region?: number }[];
  logProb: number;
  /** False when the caption was cut at --max-len without <end>. */
  finished: boolean;
  beamSize: number;
  lengthPenalty: number;
  context: 'expected' | 'argmax';
  checkpoint: string;
  encoder: string;
  /** Milliseconds spent on this image, each stage's batch time split evenly over its images. */
  timings: { readMs: number; encodeMs: number; decodeMs: number };
  overlays?: { grid: string; words: string[] };
  /** With tag-guided decoding: the tagger's confident classes (score ≥ 0.1), and the constraint tried. */
  tags?: { cls: string; word: string; score: number }[];
  constraint?: { cls: string; classes: string[]; words: string[]; used: boolean; reason?: string };
  /** With --explain: the caption was given, not generated; its words' log p are teacher-forced. */
  explained?: { logLikelihood: number; outOfVocabulary: string[]; unknown: boolean[] };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

export function captionRecord(
  file: string,
  caption: Caption,
  context: Pick<CaptionRecord, 'grid' | 'beamSize' | 'lengthPenalty' | 'context' | 'checkpoint' | 'encoder' | 'timings'>,
): CaptionRecord {
  return {
    file,
    caption: caption.text,
    tokens: caption.words.map((w) => w.word),
    ...context,
    words: caption.words.map((w) => ({
      word: w.word,
      alpha: w.alpha.map((a) => round(a, 6)),
      beta: round(w.beta, 6),
      logProb: round(w.logProb, 6),
      ...(w.region !== undefined ? { region: w.region } : {}),
    })),
    logProb: round(caption.logProb, 6),
    finished: caption.finished,
    ...(caption.tags
      ? { tags: caption.tags.filter((t) => t.score >= 0.1).map((t) => ({ cls: t.cls, word: t.word, score: round(t.score, 4) })) }
      : {}),
    ...(caption.constraint ? { constraint: caption.constraint } : {}),
  };
}

/** An --explain result as a record: the given caption's words with α, β and log p, and its log-likelihood. */
export function explainRecord(file: string, text: string, e: Explanation, context: Parameters<typeof captionRecord>[2]): CaptionRecord {
  const words = e.words.map((w) => ({ word: w.word, alpha: w.alpha, beta: w.beta, logProb: w.logProb }));
  const record = captionRecord(file, { text, words, logProb: e.logLikelihood, score: e.logLikelihood, finished: true }, context);
  return {
    ...record,
    explained: { logLikelihood: round(e.logLikelihood, 6), outOfVocabulary: e.outOfVocabulary, unknown: e.words.map((w) => w.unknown) },
  };
}

/** What marks, in text output, a caption cut at --max-len before the model ended it. */
const CUT_MARK = ' […]';

export function textLine(r: CaptionRecord): string {
  if (r.explained) {
    const oov = r.explained.outOfVocabulary.length ? `\tnot in the vocabulary: ${r.explained.outOfVocabulary.join(', ')}` : '';
    return `${r.file}\t${r.caption}\tlog-likelihood ${r.explained.logLikelihood.toFixed(2)} (${r.words.map((w) => `${w.word} ${w.logProb.toFixed(2)}`).join(', ')})${oov}`;
  }
  return `${r.file}\t${r.caption}${r.finished ? '' : CUT_MARK}`;
}
