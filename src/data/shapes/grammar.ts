/**
 * The shapes set's words and its fixed caption grammar. One image has exactly one caption, a function
 * of the picture alone, so a model can learn it word for word (exact match is a fair metric):
 *
 *   caption  := object | object relation object | object relation object relation object
 *   object   := "a" colour shape
 *   colour   := "red" | "green" | "blue" | "yellow"
 *   shape    := "circle" | "square" | "triangle"
 *   relation := "left of"   (a row: objects named left → right)
 *             | "above"     (a column: objects named top → bottom)
 *
 * e.g. "a blue square", "a red circle above a blue square",
 *      "a green triangle left of a yellow circle left of a blue square".
 * Every colour and shape word carries its object's box (see `WordBox`).
 */
import type { Region } from '../../image/types.js';
import type { WordBox } from '../dataset.js';

export const COLOURS = ['red', 'green', 'blue', 'yellow'] as const;
export const SHAPES = ['circle', 'square', 'triangle'] as const;
export type Colour = (typeof COLOURS)[number];
export type ShapeKind = (typeof SHAPES)[number];

/** Base fill of each colour word (each object's fill is jittered a little around it). */
export const COLOUR_RGB: Readonly<Record<Colour, readonly [number, number, number]>> = {
  red: [214, 39, 40],
  green: [44, 160, 44],
  blue: [31, 90, 220],
  yellow: [245, 200, 20],
};

/** A colour–shape pair as it appears in captions: "green circle". */
export type Pair = `${Colour} ${ShapeKind}`;
export const ALL_PAIRS: readonly Pair[] = COLOURS.flatMap((c) => SHAPES.map((s): Pair => `${c} ${s}`));

/** Pairs that never occur in the training split; every val/test image holds at least one. */
export const DEFAULT_HELD_OUT: readonly Pair[] = ['green circle', 'red triangle', 'yellow square'];

/** `single`: one object; `row`: left → right; `column`: top → bottom. */
export type Arrangement = 'single' | 'row' | 'column';

export interface ShapeObject {
  colour: Colour;
  shape: ShapeKind;
  /** Bounding box in pixels (square: the shape fills it; circle inscribed; triangle apex top-centre). */
  box: Region;
  /** Actual fill, sRGB. */
  rgb: [number, number, number];
}

export const pairOf = (o: Pick<ShapeObject, 'colour' | 'shape'>): Pair => `${o.colour} ${o.shape}`;

export function isPair(value: string): value is Pair {
  return (ALL_PAIRS as readonly string[]).includes(value);
}

const RELATION: Readonly<Record<Arrangement, readonly string[]>> = { single: [], row: ['left', 'of'], column: ['above'] };

/** The caption of objects given in caption order, and the box of each colour and shape word. */
export function describe(arrangement: Arrangement, objects: readonly ShapeObject[]): { caption: string; boxes: WordBox[] } {
  const words: string[] = [];
  const boxes: WordBox[] = [];
  objects.forEach((o, i) => {
    if (i > 0) words.push(...RELATION[arrangement]);
    words.push('a');
    boxes.push({ wordIndex: words.length, word: o.colour, box: { ...o.box } });
    words.push(o.colour);
    boxes.push({ wordIndex: words.length, word: o.shape, box: { ...o.box } });
    words.push(o.shape);
  });
  return { caption: words.join(' '), boxes };
}
