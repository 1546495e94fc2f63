/** What `caption` reports per image: the text line, and the `--json` object. */
import type { Caption } from '../search/captioner.js';

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
  };
}

/** What marks, in text output, a caption cut at --max-len before the model ended it. */
export const CUT_MARK = ' […]';

export function textLine(r: CaptionRecord): string {
  return `${r.file}\t${r.caption}${r.finished ? '' : CUT_MARK}`;
}
