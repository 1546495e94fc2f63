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
import * as tf from '../util/tf.js';
import { alphaRow, readTopWords, suppressionBias, type TopStepArrays } from './read-step.js';
import { COMPACT_WHEN } from './compaction.js';
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
  /** Cumulative: the beam's log-probability plus the word's. */
  logProb: number;
  wordLogProb: number;
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

/**
 * The `count` best extensions of an image's live beams (best first; ties keep the earlier beam, then
 * the lower id). Beam j's best words are row `firstRow + j` of the step's top words: the best
 * `count` extensions overall are among each beam's best `count`, and a row's list is sorted, so its
 * scan stops at the first that cannot enter.
 */
function topCandidates(s: TopStepArrays, firstRow: number, beams: readonly Beam[], count: number): Candidate[] {
  const top: Candidate[] = [];
  let floor = -Infinity; // the count-th best so far (−∞ until there are count): also rejects −∞ and NaN
  for (let j = 0; j < beams.length; j++) {
    const base = (firstRow + j) * s.count;
    const cum = beams[j]!.logProb;
    for (let c = 0; c < s.count; c++) {
      const wordLp = s.values[base + c]!;
      const lp = cum + wordLp;
      if (!(lp > floor)) break;
      let i = top.length === count ? count - 1 : top.length;
      const cand = { logProb: lp, wordLogProb: wordLp, beam: j, token: s.ids[base + c]! };
      if (top.length < count) top.push(cand);
      while (i > 0 && top[i - 1]!.logProb < lp) {
        top[i] = top[i - 1]!;
        i--;
      }
      top[i] = cand;
      if (top.length === count) floor = top[count - 1]!.logProb;
    }
  }
  return top;
}

interface ImageSearch {
  live: Beam[];
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
  const images: ImageSearch[] = Array.from({ length: B }, () => ({
    live: [{ logProb: 0, last: null }],
    finished: [],
    unfinished: [],
    done: false,
  }));
  // The state's rows are grouped by image: slot g holds rows g·perImage … g·perImage + perImage − 1 of
  // image order[g], its live beams first. One row per image until the first step (every beam starts
  // the same), k after; finished images leave at COMPACT_WHEN.
  let order = images.map((_, b) => b);
  let perImage = 1;
  let prev = new Array<number>(B).fill(o.startToken);
  let suppressed: tf.Tensor1D | null = null;
  const upperBound = (cum: number) => (o.lengthPenalty === 0 ? cum : cum / (o.maxLength + 1) ** o.lengthPenalty);
  let state = model.initState(features, o.regionMask, o.contextMode);

  try {
    for (let t = 0; t <= o.maxLength && images.some((img) => !img.done); t++) {
      const out = model.step(state, prev);
      model.disposeState(state);
      state = out.state;
      suppressed ??= suppressionBias(o.suppressTokens, out.logProbs.shape[1]);
      const s = readTopWords(out, 2 * k, suppressed);
      /** Per slot: the rows (of this step's output) the next step's k rows of that image continue. */
      const nextRowsOf: number[][] = [];
      order.forEach((b, g) => {
        const img = images[b]!;
        nextRowsOf.push([]);
        if (img.done) return;
        const first = g * perImage;
        const top = topCandidates(s, first, img.live, 2 * k);
        const next: Beam[] = [];
        top.forEach((cand, rank) => {
          const row = first + cand.beam;
          const parent = img.live[cand.beam]!.last;
          if (cand.token === o.endToken) {
            if (rank < k) img.finished.push(hypothesis(parent, cand.logProb, true, o));
          } else if (t < o.maxLength && next.length < k) {
            const word: DecodedWord = { token: cand.token, alpha: alphaRow(s, row), beta: s.beta[row]!, logProb: cand.wordLogProb };
            next.push({ logProb: cand.logProb, last: { word, parent } });
            nextRowsOf[g]!.push(row);
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
          return;
        }
        img.live = next;
      });
      const slots = order.map((_, g) => g).filter((g) => !images[order[g]!]!.done);
      if (slots.length === 0) break;
      const kept = slots.length <= COMPACT_WHEN * order.length ? slots : order.map((_, g) => g);
      // Next row g'·k + j continues beam j of the image in kept slot g' (a done image's rows, or
      // the rows past an image's live beams, repeat a row of its slot and are ignored).
      const source: number[] = [];
      prev = [];
      for (const g of kept) {
        const img = images[order[g]!]!;
        const rows = nextRowsOf[g]!;
        for (let j = 0; j < k; j++) {
          source.push(rows[j] ?? rows[0] ?? g * perImage);
          prev.push(img.done ? o.endToken : img.live[Math.min(j, img.live.length - 1)]!.last!.word.token);
        }
      }
      order = kept.map((g) => order[g]!);
      perImage = k;
      const reordered = model.selectRows(state, source);
      model.disposeState(state);
      state = reordered;
    }
  } finally {
    model.disposeState(state);
    suppressed?.dispose();
  }
  return images.map((img) => result(img, k));
}
