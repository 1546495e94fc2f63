/**
 * Grounding: does the attention look at the object a word names? For each word of a generated
 * caption that names a reference object (its shape noun or its colour), with α the attention of the
 * step that emitted the word:
 *  - hit (pointing game): the centre of α's argmax cell lies inside the object's box;
 *  - mass: the share of α whose cell centres lie inside the box (Σ inside / Σ all);
 *  - chance: the share of cells whose centres lie inside the box (the mass of uniform attention).
 * Cell (r, c) of a height×width grid covering `region` has its centre at
 *   x = region.left + (c + ½)·region.width / width,  y = region.top + (r + ½)·region.height / height,
 * in the boxes' pixel coordinates; a centre is inside when left ≤ x < left + width (same for y).
 *
 * Matching words to boxes (the candidate may differ from the reference):
 *  1. Objects are the reference's WordBoxes grouped by identical box; an object's phrase is its words
 *     in caption order ("green circle").
 *  2. A candidate word is an object word when some reference object has that word; other words
 *     ("a", "left", a hallucinated "purple") are not scored.
 *  3. If one object has the word, it is matched — even when the candidate pairs it wrongly: in
 *     "a red square" against objects "red circle" and "blue square", "red" is scored on the red
 *     circle and "square" on the blue square (the attention should find the thing the word names).
 *  4. If several do (two red objects), keep those that also own a neighbouring candidate word
 *     (t − 1 or t + 1: "red" followed by "circle" → the red circle); if exactly one remains it is matched.
 *  5. Otherwise the k-th occurrence of the word in the candidate takes the k-th of the remaining
 *     objects in caption order; with no k-th object the word is counted as `unmatched`, not scored.
 * Held-out statistics cover words (colour and noun) whose object's phrase is in `heldOut`.
 */
import type { Region } from '../image/types.js';
import type { WordBox } from '../data/dataset.js';
import { mean } from './scorer.js';

/** The attention grid (same shape as the encoder's `grid` and overlay's GridSize). */
export interface AttentionGrid {
  height: number;
  width: number;
}

export interface GroundingImage {
  id: string;
  /** The generated words, without `<start>`/`<end>`. */
  words: readonly string[];
  /** alphas[t]: the attention (length height·width, row-major) of the step that emitted words[t]; extra
   * trailing steps (e.g. the `<end>` step) are ignored. */
  alphas: readonly (readonly number[])[];
  grid: AttentionGrid;
  /** The part of the image the grid covers, in the boxes' pixels (PreparedImage.region). */
  region: Region;
  /** The object-word boxes of one reference caption (CaptionedImage.boxes[i]). */
  boxes: readonly WordBox[];
}

export interface GroundedWord {
  id: string;
  /** Position in the generated caption. */
  t: number;
  word: string;
  /** Phrase of the matched reference object. */
  object: string;
  heldOut: boolean;
  hit: boolean;
  mass: number;
  chance: number;
}

export interface GroundingStats {
  /** Number of scored words. */
  words: number;
  /** Mean hit (pointing-game accuracy), 0 when no words. */
  pointing: number;
  /** Mean attention mass inside the box. */
  mass: number;
  /** Mean mass uniform attention would have put there. */
  chance: number;
}

export interface GroundingResult {
  overall: GroundingStats;
  /** Words of held-out objects / of the other objects. */
  heldOut: GroundingStats;
  seen: GroundingStats;
  perImage: Map<string, GroundingStats>;
  /** Every scored word, for slicing (e.g. nouns only: `summarizeGrounding(r.words.filter(…))`). */
  words: GroundedWord[];
  /** Object words that could not be assigned to a box (rule 5). */
  unmatched: number;
}

interface RefObject {
  box: Region;
  phrase: string;
  words: Set<string>;
  /** Position of its first word (caption order). */
  first: number;
}

function objectsOf(boxes: readonly WordBox[]): RefObject[] {
  const byBox = new Map<string, WordBox[]>();
  for (const b of boxes) {
    const key = `${b.box.left},${b.box.top},${b.box.width},${b.box.height}`;
    byBox.set(key, [...(byBox.get(key) ?? []), b]);
  }
  return [...byBox.values()]
    .map((group) => {
      const sorted = [...group].sort((a, b) => a.wordIndex - b.wordIndex);
      const first = sorted[0] as WordBox;
      return {
        box: first.box,
        phrase: sorted.map((b) => b.word).join(' '),
        words: new Set(sorted.map((b) => b.word)),
        first: first.wordIndex,
      };
    })
    .sort((a, b) => a.first - b.first);
}

/** The object a candidate word is scored on (rules 3–5 above); null = unmatched. */
function matchObject(words: readonly string[], t: number, objects: readonly RefObject[]): RefObject | null {
  const w = words[t] as string;
  const having = objects.filter((o) => o.words.has(w));
  if (having.length === 1) return having[0] as RefObject;
  const neighbours = [words[t - 1], words[t + 1]].filter((n): n is string => n !== undefined && n !== w);
  const near = having.filter((o) => neighbours.some((n) => o.words.has(n)));
  if (near.length === 1) return near[0] as RefObject;
  const pool = near.length > 0 ? near : having;
  const k = words.slice(0, t).filter((x) => x === w).length;
  return pool[k] ?? null;
}

/** Centres of the grid's cells (row-major) in the region's pixel coordinates. */
export function cellCentres(grid: AttentionGrid, region: Region): Array<{ x: number; y: number }> {
  const out: Array<{ x: number; y: number }> = [];
  for (let r = 0; r < grid.height; r++) {
    for (let c = 0; c < grid.width; c++) {
      out.push({ x: region.left + ((c + 0.5) * region.width) / grid.width, y: region.top + ((r + 0.5) * region.height) / grid.height });
    }
  }
  return out;
}

const inside = (p: { x: number; y: number }, b: Region): boolean =>
  p.x >= b.left && p.x < b.left + b.width && p.y >= b.top && p.y < b.top + b.height;

function summarizeGrounding(words: readonly GroundedWord[]): GroundingStats {
  return {
    words: words.length,
    pointing: mean(words.map((w) => (w.hit ? 1 : 0))),
    mass: mean(words.map((w) => w.mass)),
    chance: mean(words.map((w) => w.chance)),
  };
}

/** Scores one image's object words (see the file comment); `unmatched` counts rule-5 failures. */
export function groundImage(image: GroundingImage, heldOut: ReadonlySet<string> = new Set()): { words: GroundedWord[]; unmatched: number } {
  const { id, words, alphas, grid } = image;
  const cells = grid.height * grid.width;
  if (!Number.isInteger(cells) || cells <= 0) throw new RangeError(`${id}: bad attention grid ${grid.height}×${grid.width}`);
  if (alphas.length < words.length) throw new RangeError(`${id}: ${words.length} words but only ${alphas.length} attention maps`);
  const centres = cellCentres(grid, image.region);
  const objects = objectsOf(image.boxes);
  const out: GroundedWord[] = [];
  let unmatched = 0;
  words.forEach((word, t) => {
    if (!objects.some((o) => o.words.has(word))) return;
    const object = matchObject(words, t, objects);
    if (object === null) {
      unmatched += 1;
      return;
    }
    const alpha = alphas[t] as readonly number[];
    if (alpha.length !== cells)
      throw new RangeError(`${id}: attention map ${t} has ${alpha.length} values, the ${grid.height}×${grid.width} grid needs ${cells}`);
    let total = 0;
    let inBox = 0;
    let inCells = 0;
    let best = 0;
    alpha.forEach((a, i) => {
      const isIn = inside(centres[i] as { x: number; y: number }, object.box);
      total += a;
      if (isIn) {
        inBox += a;
        inCells += 1;
      }
      if (a > (alpha[best] ?? -Infinity)) best = i;
    });
    out.push({
      id,
      t,
      word,
      object: object.phrase,
      heldOut: heldOut.has(object.phrase),
      hit: inside(centres[best] as { x: number; y: number }, object.box),
      mass: total > 0 ? inBox / total : 0,
      chance: inCells / cells,
    });
  });
  return { words: out, unmatched };
}

/** Grounding over a set of images; `heldOut` lists object phrases such as "green circle". */
export function evaluateGrounding(images: Iterable<GroundingImage>, heldOut: Iterable<string> = []): GroundingResult {
  const held = new Set(heldOut);
  const all: GroundedWord[] = [];
  const perImage = new Map<string, GroundingStats>();
  let unmatched = 0;
  for (const image of images) {
    const r = groundImage(image, held);
    all.push(...r.words);
    unmatched += r.unmatched;
    perImage.set(image.id, summarizeGrounding(r.words));
  }
  return {
    overall: summarizeGrounding(all),
    heldOut: summarizeGrounding(all.filter((w) => w.heldOut)),
    seen: summarizeGrounding(all.filter((w) => !w.heldOut)),
    perImage,
    words: all,
    unmatched,
  };
}
