import { describe, expect, it } from 'vitest';
import type { WordBox } from '../src/data/dataset.js';
import { generateShapeScenes } from '../src/data/shapes/generate.js';
import { tokenize } from '../src/data/tokenize.js';
import { cellCentres, evaluateGrounding, groundImage, type GroundingImage } from '../src/eval/grounding.js';

const GRID = { height: 14, width: 14 };
const REGION = { left: 0, top: 0, width: 224, height: 224 };
// Reference "a red circle left of a blue square": red circle in cells (r 2–4, c 1–3), blue square in (r 10–12, c 9–11).
const RED = { left: 16, top: 32, width: 48, height: 48 };
const BLUE = { left: 144, top: 160, width: 48, height: 48 };
const BOXES: WordBox[] = [
  { wordIndex: 1, word: 'red', box: RED },
  { wordIndex: 2, word: 'circle', box: RED },
  { wordIndex: 6, word: 'blue', box: BLUE },
  { wordIndex: 7, word: 'square', box: BLUE },
];

const oneHot = (row: number, col: number): number[] => Array.from({ length: 196 }, (_, i) => (i === row * 14 + col ? 1 : 0));
const uniform = (): number[] => new Array<number>(196).fill(1 / 196);

function image(caption: string, alphas: (words: string[]) => number[][], boxes: WordBox[] = BOXES): GroundingImage {
  const words = tokenize(caption);
  return { id: 'img', words, alphas: alphas(words), grid: GRID, region: REGION, boxes };
}

describe('grounding', () => {
  it('maps cells to pixel centres over the region', () => {
    const c = cellCentres(GRID, REGION);
    expect(c[0]).toEqual({ x: 8, y: 8 });
    expect(c[14 * 2 + 3]).toEqual({ x: 56, y: 40 });
    expect(cellCentres({ height: 2, width: 2 }, { left: 100, top: 0, width: 40, height: 20 })).toEqual([
      { x: 110, y: 5 },
      { x: 130, y: 5 },
      { x: 110, y: 15 },
      { x: 130, y: 15 },
    ]);
  });

  it('scores a one-hot α inside the box as a hit with all its mass, outside as a miss with none', () => {
    const r = groundImage(
      image('a red circle left of a blue square', (ws) =>
        ws.map((w) =>
          w === 'red' || w === 'circle' ? oneHot(3, 2) : w === 'blue' ? oneHot(11, 10) : w === 'square' ? oneHot(0, 0) : uniform(),
        ),
      ),
    );
    expect(r.unmatched).toBe(0);
    expect(r.words.map((w) => [w.t, w.word, w.object, w.hit, w.mass])).toEqual([
      [1, 'red', 'red circle', true, 1],
      [2, 'circle', 'red circle', true, 1],
      [6, 'blue', 'blue square', true, 1],
      [7, 'square', 'blue square', false, 0],
    ]);
    // 3×3 of the 196 cell centres fall in a 48 px box aligned to the 16 px grid.
    expect(r.words[0]?.chance).toBeCloseTo(9 / 196, 12);
  });

  it('gives uniform attention its chance mass, and uses the argmax for pointing', () => {
    const r = groundImage(image('a red circle', (ws) => ws.map(() => uniform())));
    expect(r.words.map((w) => w.mass)).toEqual([9 / 196, 9 / 196].map((m) => expect.closeTo(m, 12)));
    expect(r.words.every((w) => !w.hit)).toBe(true); // argmax of a tie = cell 0, outside
    const split = oneHot(3, 2).map((v, i) => (v ? 0.4 : i === 0 ? 0.6 : 0)); // most mass outside, but…
    const r2 = groundImage(image('a red circle', (ws) => ws.map(() => split)));
    expect(r2.words[1]).toMatchObject({ hit: false, mass: 0.4 });
  });

  it('matches words when the candidate differs from the reference', () => {
    // Wrong pairing: "red" scores on the red circle, "square" on the blue square.
    const r = groundImage(image('a red square above a green triangle', (ws) => ws.map(() => oneHot(3, 2))));
    expect(r.words.map((w) => [w.word, w.object, w.hit])).toEqual([
      ['red', 'red circle', true],
      ['square', 'blue square', false],
    ]);
    // Two red objects: the neighbouring noun decides; order decides when it cannot.
    const RED_SQ = { left: 144, top: 32, width: 48, height: 48 };
    const twoReds: WordBox[] = [
      ...BOXES.slice(0, 2),
      { wordIndex: 6, word: 'red', box: RED_SQ },
      { wordIndex: 7, word: 'square', box: RED_SQ },
    ];
    const byNoun = groundImage(image('a red square left of a red circle', (ws) => ws.map(() => uniform()), twoReds));
    expect(byNoun.words.map((w) => `${w.t}:${w.word}→${w.object}`)).toEqual([
      '1:red→red square',
      '2:square→red square',
      '6:red→red circle',
      '7:circle→red circle',
    ]);
    const byOrder = groundImage(image('a red thing and a red thing and a red thing', (ws) => ws.map(() => uniform()), twoReds));
    expect(byOrder.words.map((w) => `${w.t}:${w.object}`)).toEqual(['1:red circle', '5:red square']);
    expect(byOrder.unmatched).toBe(1);
  });

  it('aggregates overall, held-out and seen, per image', () => {
    const hitAll = (ws: string[]): number[][] => ws.map((w) => (w === 'blue' || w === 'square' ? oneHot(11, 10) : oneHot(3, 2)));
    const a = { ...image('a red circle left of a blue square', hitAll), id: 'a' };
    const b = { ...image('a red circle left of a blue square', (ws) => ws.map(() => oneHot(0, 13))), id: 'b' };
    const r = evaluateGrounding([a, b], ['blue square']);
    expect(r.overall).toMatchObject({ words: 8, pointing: 0.5, mass: 0.5 });
    expect(r.heldOut).toMatchObject({ words: 4, pointing: 0.5 });
    expect(r.seen.words).toBe(4);
    expect(r.perImage.get('a')).toMatchObject({ words: 4, pointing: 1, mass: 1 });
    expect(r.perImage.get('b')).toMatchObject({ words: 4, pointing: 0, mass: 0 });
    expect(r.words.filter((w) => w.heldOut).map((w) => w.word)).toEqual(['blue', 'square', 'blue', 'square']);
    expect(evaluateGrounding([]).overall).toEqual({ words: 0, pointing: 0, mass: 0, chance: 0 });
  });

  it('scores perfect attention on generated shapes scenes as perfect', () => {
    for (const s of generateShapeScenes({ seed: 9, counts: { train: 0, val: 0, test: 20 } })) {
      const words = tokenize(s.caption);
      const alphas = words.map((_, t) => {
        const b = s.boxes.find((x) => x.wordIndex === t)?.box;
        if (!b) return uniform();
        return oneHot(Math.floor((b.top + b.height / 2) / 16), Math.floor((b.left + b.width / 2) / 16));
      });
      const r = evaluateGrounding(
        [{ id: s.id, words, alphas, grid: GRID, region: REGION, boxes: s.boxes }],
        ['green circle', 'red triangle', 'yellow square'],
      );
      expect(r.overall).toMatchObject({ words: s.boxes.length, pointing: 1, mass: 1 });
      expect(r.heldOut.words).toBeGreaterThanOrEqual(2);
    }
  });

  it('rejects attention maps that do not fit the grid or the words', () => {
    expect(() => groundImage(image('a red circle', () => [uniform()]))).toThrow(/3 words but only 1/);
    expect(() => groundImage(image('a red circle', (ws) => ws.map(() => [1, 0])))).toThrow(/needs 196/);
  });
});
