/**
 * Beam search, batched: B images × k beams are one batch of B·k rows, one model step per word.
 *
 * Per image and step, the k·V extensions of the live beams are ranked by cumulative log-probability;
 * of the top k, those ending in <end> become finished hypotheses, and the best k extensions that do
 * not end stay live (so k = 1 is exactly greedy). Captions hold at most `maxLength` words: the step
 * after that can only end them; beams still live then are kept as unfinished hypotheses, used only
 * when no hypothesis of that image finished (so the result is never empty).
 *
 * An image stops once it has k finished hypotheses and no live beam can still beat the k-th: its
 * score can only fall, to at best cum / (maxLength + 1)^α.
 */
import type * as tf from '@tensorflow/tfjs';
import { alphaRow, readStep, type StepArrays } from './read-step.js';
import { lengthNormalizedScore } from './scoring.js';
import {
  resolveSearchOptions,
  type BeamSearchOptions,
  type BeamSearchResult,
  type DecodedCaption,
  type DecodedWord,
  type ResolvedSearchOptions,
  type StepModel,
} from './types.js';

/** A word in a beam's history; beams share prefixes. */
interface WordNode {
  word: DecodedWord;
  parent: WordNode | null;
}

interface Beam {
  logProb: number;
  last: WordNode | null;
}

interface Candidate {
  logProb: number;
  beam: number; // index into the image's live beams
  token: number;
}

function wordsOf(node: WordNode | null): DecodedWord[] {
  const out: DecodedWord[] = [];
  for (let n = node; n; n = n.parent) out.push(n.word);
  return out.reverse();
}

function hypothesis(last: WordNode | null, logProb: number, finished: boolean, o: ResolvedSearchOptions): DecodedCaption {
  const words = wordsOf(last);
  const steps = words.length + (finished ? 1 : 0);
  return { tokens: words.map((w) => w.token), words, logProb, score: lengthNormalizedScore(logProb, steps, o.lengthPenalty), finished };
}

/** The `count` best extensions of an image's live beams (best first). */
function topCandidates(s: StepArrays, rows: readonly number[], beams: readonly Beam[], suppressed: Set<number>, count: number): Candidate[] {
  const V = s.vocabSize;
  const top: Candidate[] = [];
  for (let j = 0; j < beams.length; j++) {
    const base = rows[j]! * V;
    const cum = beams[j]!.logProb;
    for (let v = 0; v < V; v++) {
      const lp = cum + s.logProbs[base + v]!;
      if (lp === -Infinity || Number.isNaN(lp) || suppressed.has(v)) continue;
      if (top.length === count && lp <= top[count - 1]!.logProb) continue;
      let i = top.length === count ? count - 1 : top.length;
      if (top.length < count) top.push({ logProb: lp, beam: j, token: v });
      while (i > 0 && top[i - 1]!.logProb < lp) {
        top[i] = top[i - 1]!;
        i--;
      }
      top[i] = { logProb: lp, beam: j, token: v };
    }
  }
  return top;
}

interface ImageSearch {
  live: Beam[];
  /** State row of each live beam. */
  rows: number[];
  finished: DecodedCaption[];
  unfinished: DecodedCaption[];
  done: boolean;
}

function kthBestScore(hyps: DecodedCaption[], k: number): number {
  if (hyps.length < k) return -Infinity;
  return hyps.map((h) => h.score).sort((a, b) => b - a)[k - 1]!;
}

function result(img: ImageSearch, k: number): BeamSearchResult {
  const pool = img.finished.length ? img.finished : img.unfinished;
  const hypotheses = [...pool].sort((a, b) => b.score - a.score).slice(0, k);
  const best = hypotheses[0] ?? { tokens: [], words: [], logProb: -Infinity, score: -Infinity, finished: false };
  return { ...best, hypotheses: hypotheses.length ? hypotheses : [best] };
}

export function beamSearch<S>(model: StepModel<S>, features: tf.Tensor3D, options: BeamSearchOptions = {}): BeamSearchResult[] {
  const o = resolveSearchOptions(options);
  const k = options.beamSize ?? 3;
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`beamSize must be a positive integer (got ${k})`);
  const B = features.shape[0];
  const suppressed = new Set(o.suppressTokens);
  const images: ImageSearch[] = Array.from({ length: B }, (_, b) => ({
    live: [{ logProb: 0, last: null }],
    rows: [b * k],
    finished: [],
    unfinished: [],
    done: false,
  }));
  const prev = new Array<number>(B * k).fill(o.startToken);
  const initial = model.initState(features, o.regionMask, o.context);
  let state: S;
  try {
    state = model.selectRows(initial, Array.from({ length: B * k }, (_, r) => Math.floor(r / k))); // row b·k + j ← image b
  } finally {
    model.disposeState(initial);
  }
  const upperBound = (cum: number) => (o.lengthPenalty === 0 ? cum : cum / (o.maxLength + 1) ** o.lengthPenalty);

  try {
    for (let t = 0; t <= o.maxLength && images.some((img) => !img.done); t++) {
      const out = model.step(state, prev);
      model.disposeState(state);
      state = out.state;
      const s = readStep(out);
      const source = Array.from({ length: B * k }, (_, r) => r); // next row r ← current row source[r]
      for (let b = 0; b < B; b++) {
        const img = images[b]!;
        if (img.done) continue;
        const top = topCandidates(s, img.rows, img.live, suppressed, 2 * k);
        const next: Beam[] = [];
        const nextRows: number[] = [];
        top.forEach((cand, rank) => {
          const row = img.rows[cand.beam]!;
          const parent = img.live[cand.beam]!.last;
          const lp = s.logProbs[row * s.vocabSize + cand.token]!;
          if (cand.token === o.endToken) {
            if (rank < k) img.finished.push(hypothesis(parent, cand.logProb, true, o));
          } else if (t < o.maxLength && next.length < k) {
            const word: DecodedWord = { token: cand.token, alpha: alphaRow(s, row), beta: s.beta[row]!, logProb: lp };
            next.push({ logProb: cand.logProb, last: { word, parent } });
            nextRows.push(row);
          }
        });
        if (t === o.maxLength) {
          for (const beam of img.live) img.unfinished.push(hypothesis(beam.last, beam.logProb, false, o));
        }
        const bestLive = next.length ? next[0]!.logProb : -Infinity;
        if (t === o.maxLength || next.length === 0 || upperBound(bestLive) <= kthBestScore(img.finished, k)) {
          if (next.length === 0 && t < o.maxLength && !img.finished.length) {
            for (const beam of img.live) img.unfinished.push(hypothesis(beam.last, beam.logProb, false, o));
          }
          img.done = true;
          continue;
        }
        img.live = next;
        img.rows = next.map((_, j) => b * k + j);
        next.forEach((beam, j) => {
          source[b * k + j] = nextRows[j]!;
          prev[b * k + j] = beam.last!.word.token;
        });
      }
      if (images.every((img) => img.done)) break;
      const reordered = model.selectRows(state, source);
      model.disposeState(state);
      state = reordered;
    }
  } finally {
    model.disposeState(state!);
  }
  return images.map((img) => result(img, k));
}
