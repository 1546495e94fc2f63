import { describe, expect, it } from 'vitest';
import { attentionMap, cellBox, normalisedCells } from '../src/overlay/upsample.js';

const grid = { height: 14, width: 14 };

function oneHot(row: number, col: number): Float32Array {
  const a = new Float32Array(196);
  a[row * 14 + col] = 1;
  return a;
}

const maxOf = (a: Float32Array): number => a.reduce((m, v) => Math.max(m, v), -Infinity);
const minOf = (a: Float32Array): number => a.reduce((m, v) => Math.min(m, v), Infinity);

/** Largest |difference| between horizontally or vertically adjacent pixels of a [height, width] map. */
function maxStep(map: Float32Array, width: number, height: number): number {
  let max = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = map[y * width + x]!;
      if (x + 1 < width) max = Math.max(max, Math.abs(v - map[y * width + x + 1]!));
      if (y + 1 < height) max = Math.max(max, Math.abs(v - map[(y + 1) * width + x]!));
    }
  }
  return max;
}

describe('attention upsampling', () => {
  it("puts a cell's value exactly on its centre ((c+0.5)·W/w, (r+0.5)·H/h)", () => {
    // 15 px per cell: cell (3, 10)'s centre (157.5, 52.5) is the centre of pixel (157, 52).
    const map = attentionMap(oneHot(3, 10), grid, 210, 210, 'smooth');
    expect(map[52 * 210 + 157]).toBeCloseTo(1, 6);
    expect(map[52 * 210 + 157 + 15]).toBeCloseTo(0, 6); // the next cell's centre
    const box = cellBox({ left: 0, top: 0, width: 210, height: 210 }, grid, 3, 10);
    expect(box).toEqual({ left: 150, top: 45, width: 15, height: 15 });
  });

  it('maps cells onto a non-square region in its own pixel units', () => {
    const map = attentionMap(oneHot(0, 13), grid, 280, 140, 'nearest'); // cells 20×10 px
    expect(map[0 * 280 + 260]).toBe(1); // top-right cell
    expect(map[0 * 280 + 259]).toBe(0);
    expect(map[10 * 280 + 279]).toBe(0);
    expect(cellBox({ left: 5, top: 7, width: 280, height: 140 }, grid, 2, 1)).toEqual({ left: 25, top: 27, width: 20, height: 10 });
  });

  it('is smooth: no step edges, unlike nearest', () => {
    const smooth = attentionMap(oneHot(7, 7), grid, 224, 224, 'smooth');
    const nearest = attentionMap(oneHot(7, 7), grid, 224, 224, 'nearest');
    expect(maxStep(nearest, 224, 224)).toBe(1);
    expect(maxStep(smooth, 224, 224)).toBeLessThan(0.12);
    expect(maxOf(smooth)).toBeGreaterThan(0.98); // the hottest cell shows as ~1
  });

  it('normalises to the hottest cell and clamps bicubic overshoot into [0, 1]', () => {
    const checker = Float32Array.from({ length: 196 }, (_, i) => ((i + Math.floor(i / 14)) % 2 === 0 ? 0.01 : 0));
    const map = attentionMap(checker, grid, 150, 90, 'smooth');
    expect(minOf(map)).toBe(0);
    expect(maxOf(map)).toBe(1);
    expect(Array.from(normalisedCells(checker, grid).slice(0, 2))).toEqual([1, 0]);
  });

  it('shows nothing for an all-zero α and refuses α of the wrong length', () => {
    expect(maxOf(attentionMap(new Float32Array(196), grid, 30, 20))).toBe(0);
    expect(() => attentionMap(new Float32Array(195), grid, 30, 20)).toThrow(/195 values, expected 14×14 = 196/);
  });
});
