/**
 * Attention against object boxes on real photos (COCO instances): for a word that names a class with
 * boxes in the photo, and α the attention of the step that emits (or, teacher-forced, predicts) it:
 *  - pointing: the most attended cell overlaps one of that class's boxes (Zhang et al. 2018's pointing
 *    game on the attention grid);
 *  - mass ratio: the attention mass inside the class's boxes (Liu et al. 2017's "attention correctness"),
 *    divided by the boxes' share of the area the grid covers (so uniform attention scores 1.0).
 * Grid cells map to photo pixels through the encoder's region (the whole photo under the `squash`
 * policy, the central square under `center-crop`): cell (r, c) of an H×W grid covers
 *   x ∈ [left + c·width/W, left + (c+1)·width/W),  y ∈ [top + r·height/H, top + (r+1)·height/H).
 * A cell's coverage is the share of its area inside the union of the boxes (exact).
 *
 * Baselines, on the same words: the centre cell, uniform attention, the average map of all scored words,
 * and the same caption's other words' maps (a saliency map that ignores the word scores well against the
 * first two, not against this one). Intervals: 95 % percentile bootstrap over images (words of one photo
 * move together), seeded.
 */
import type { Region } from '../image/types.js';
import { mulberry32 } from '../util/random.js';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GridGeometry {
  grid: { height: number; width: number };
  /** The photo's pixels the grid covers. */
  region: Region;
}

function cellRect(g: GridGeometry, i: number): Box {
  const r = Math.floor(i / g.grid.width);
  const c = i % g.grid.width;
  const w = g.region.width / g.grid.width;
  const h = g.region.height / g.grid.height;
  return { x: g.region.left + c * w, y: g.region.top + r * h, width: w, height: h };
}

/** The area of the union of `boxes` inside `clip`, exactly (coordinate compression). */
function unionAreaWithin(boxes: readonly Box[], clip: Box): number {
  const parts = boxes
    .map((b) => ({
      x0: Math.max(b.x, clip.x),
      x1: Math.min(b.x + b.width, clip.x + clip.width),
      y0: Math.max(b.y, clip.y),
      y1: Math.min(b.y + b.height, clip.y + clip.height),
    }))
    .filter((p) => p.x1 > p.x0 && p.y1 > p.y0);
  if (parts.length === 0) return 0;
  const xs = [...new Set(parts.flatMap((p) => [p.x0, p.x1]))].sort((a, b) => a - b);
  const ys = [...new Set(parts.flatMap((p) => [p.y0, p.y1]))].sort((a, b) => a - b);
  let area = 0;
  for (let i = 0; i + 1 < xs.length; i++) {
    for (let j = 0; j + 1 < ys.length; j++) {
      const cx = (xs[i]! + xs[i + 1]!) / 2;
      const cy = (ys[j]! + ys[j + 1]!) / 2;
      if (parts.some((p) => cx > p.x0 && cx < p.x1 && cy > p.y0 && cy < p.y1)) area += (xs[i + 1]! - xs[i]!) * (ys[j + 1]! - ys[j]!);
    }
  }
  return area;
}

/** Share of each cell inside the union of `boxes` (length L, row-major). */
export function cellCoverage(boxes: readonly Box[], g: GridGeometry): number[] {
  return Array.from({ length: g.grid.height * g.grid.width }, (_, i) => {
    const cell = cellRect(g, i);
    return unionAreaWithin(boxes, cell) / (cell.width * cell.height);
  });
}

/** Whether each cell overlaps some box with positive area. */
function cellOverlaps(boxes: readonly Box[], g: GridGeometry): boolean[] {
  const L = g.grid.height * g.grid.width;
  return Array.from({ length: L }, (_, i) => {
    const c = cellRect(g, i);
    return boxes.some(
      (b) => Math.min(c.x + c.width, b.x + b.width) > Math.max(c.x, b.x) && Math.min(c.y + c.height, b.y + b.height) > Math.max(c.y, b.y),
    );
  });
}

function argmax(xs: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/** What a class's boxes are on the grid: per-cell coverage and overlap, and their share of the region. */
export interface BoxTarget {
  coverage: number[];
  overlaps: boolean[];
  share: number;
}

export function boxTarget(boxes: readonly Box[], g: GridGeometry): BoxTarget {
  const coverage = cellCoverage(boxes, g);
  return { coverage, overlaps: cellOverlaps(boxes, g), share: coverage.reduce((s, v) => s + v, 0) / coverage.length };
}

/** Pointing and mass ratio of one map (any non-negative weights over the L cells). */
export function scoreMap(map: readonly number[], target: BoxTarget): { pointing: number; massRatio: number } {
  const total = map.reduce((s, v) => s + v, 0);
  const mass = map.reduce((s, v, i) => s + v * target.coverage[i]!, 0) / total;
  return { pointing: target.overlaps[argmax(map)] ? 1 : 0, massRatio: mass / target.share };
}

/** A word to score: its image, class, α, and the other words' maps of the same caption. */
export interface GroundingWord {
  image: string;
  /** COCO class name. */
  cls: string;
  word: string;
  source: 'generated' | 'reference';
  alpha: readonly number[];
  /** α of the caption's other words (for the "other words" baseline); may be empty. */
  others: readonly (readonly number[])[];
  target: BoxTarget;
  grid: { height: number; width: number };
}

export const METHODS = ['attention', 'centre cell', 'uniform', 'average map', 'other words'] as const;
type Method = (typeof METHODS)[number];

/** Per word and method: pointing (0/1, or the expected value for uniform) and mass ratio. */
export interface WordScores {
  word: GroundingWord;
  scores: Record<Method, { pointing: number; massRatio: number }>;
}

export function scoreWords(words: readonly GroundingWord[]): WordScores[] {
  const L = words[0]?.alpha.length ?? 0;
  const average = Array.from({ length: L }, (_, i) => words.reduce((s, w) => s + w.alpha[i]!, 0) / Math.max(1, words.length));
  return words.map((w) => {
    const centre = Array.from({ length: w.alpha.length }, (_, i) =>
      i === Math.floor(w.grid.height / 2) * w.grid.width + Math.floor(w.grid.width / 2) ? 1 : 0,
    );
    const others = w.others.length
      ? Array.from({ length: w.alpha.length }, (_, i) => w.others.reduce((s, o) => s + o[i]!, 0) / w.others.length)
      : average;
    const uniformPointing = w.target.overlaps.filter(Boolean).length / w.target.overlaps.length;
    return {
      word: w,
      scores: {
        attention: scoreMap(w.alpha, w.target),
        'centre cell': scoreMap(centre, w.target),
        uniform: { pointing: uniformPointing, massRatio: 1 },
        'average map': scoreMap(average, w.target),
        'other words': scoreMap(others, w.target),
      },
    };
  });
}

export interface Estimate {
  mean: number;
  low: number;
  high: number;
}

/**
 * Mean of `value` over words with a 95 % bootstrap interval, resampling images (clusters) with
 * replacement, `rounds` times, seeded.
 */
export function bootstrapMean<T extends { word: { image: string } }>(
  items: readonly T[],
  value: (x: T) => number,
  rounds = 1000,
  seed = 1,
): Estimate {
  const byImage = new Map<string, number[]>();
  for (const x of items) {
    const list = byImage.get(x.word.image) ?? [];
    list.push(value(x));
    byImage.set(x.word.image, list);
  }
  const groups = [...byImage.values()].map((vs) => ({ sum: vs.reduce((s, v) => s + v, 0), n: vs.length }));
  const total = groups.reduce((s, g) => ({ sum: s.sum + g.sum, n: s.n + g.n }), { sum: 0, n: 0 });
  if (groups.length === 0) return { mean: NaN, low: NaN, high: NaN };
  const rng = mulberry32(seed);
  const means: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    let n = 0;
    for (let k = 0; k < groups.length; k++) {
      const g = groups[Math.floor(rng() * groups.length)]!;
      sum += g.sum;
      n += g.n;
    }
    means.push(sum / n);
  }
  means.sort((a, b) => a - b);
  return { mean: total.sum / total.n, low: means[Math.floor(0.025 * rounds)]!, high: means[Math.ceil(0.975 * rounds) - 1]! };
}

export interface GroundingSummary {
  words: number;
  images: number;
  /** Per method: pointing and mass ratio with intervals. */
  methods: Record<Method, { pointing: Estimate; massRatio: Estimate }>;
  /** The strongest baseline by pointing, and attention's pointing minus it (paired, per word). */
  bestBaseline: Method;
  pointingOverBest: Estimate;
  perClass: { cls: string; words: number; pointing: number; massRatio: number; baselinePointing: number }[];
}

export function summarize(scored: readonly WordScores[]): GroundingSummary {
  const methods = Object.fromEntries(
    METHODS.map((m) => [
      m,
      { pointing: bootstrapMean(scored, (s) => s.scores[m].pointing), massRatio: bootstrapMean(scored, (s) => s.scores[m].massRatio) },
    ]),
  ) as GroundingSummary['methods'];
  const baselines = METHODS.filter((m) => m !== 'attention');
  const bestBaseline = baselines.reduce((a, b) => (methods[b].pointing.mean > methods[a].pointing.mean ? b : a));
  const classes = [...new Set(scored.map((s) => s.word.cls))].sort();
  const perClass = classes
    .map((cls) => {
      const of = scored.filter((s) => s.word.cls === cls);
      const mean = (f: (s: WordScores) => number): number => of.reduce((t, s) => t + f(s), 0) / of.length;
      return {
        cls,
        words: of.length,
        pointing: mean((s) => s.scores.attention.pointing),
        massRatio: mean((s) => s.scores.attention.massRatio),
        baselinePointing: mean((s) => s.scores[bestBaseline].pointing),
      };
    })
    .sort((a, b) => b.words - a.words);
  return {
    words: scored.length,
    images: new Set(scored.map((s) => s.word.image)).size,
    methods,
    bestBaseline,
    pointingOverBest: bootstrapMean(scored, (s) => s.scores.attention.pointing - s.scores[bestBaseline].pointing),
    perClass,
  };
}
