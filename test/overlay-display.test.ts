/**
 * The display rules (src/overlay/display.ts) on maps with a known β and peak: the fixed scale puts
 * uniform attention at 0 and one-cell attention at 1; β fades the colour and greys the photo (β = 0:
 * a grey photo, no colour); the label carries β and the peak; cells, not invented detail, by default.
 */
import { describe, expect, it } from 'vitest';
import { colormap } from '../src/overlay/colormaps.js';
import { DEFAULT_DISPLAY, displayCells, paintWord, peakOverUniform, wordLabel } from '../src/overlay/display.js';

const L = 4;
const grid = { height: 2, width: 2 };
const uniform = [0.25, 0.25, 0.25, 0.25];
const oneHot = [1, 0, 0, 0];

/** A 40×40 photo of one colour, the grid over all of it (each cell 20×20). */
function photo(rgb: [number, number, number]) {
  const pixels = new Uint8Array(40 * 40 * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(rgb, i);
  return { width: 40, height: 40, pixels };
}
const region = { left: 0, top: 0, width: 40, height: 40 };
const at = (img: { width: number; pixels: Uint8Array }, x: number, y: number) =>
  Array.from(img.pixels.subarray((y * img.width + x) * 3, (y * img.width + x) * 3 + 3));

describe('display rules', () => {
  it('peak: max α × L (1 = uniform, L = one cell)', () => {
    expect(peakOverUniform(uniform)).toBeCloseTo(1, 12);
    expect(peakOverUniform(oneHot)).toBe(L);
    expect(peakOverUniform([0.5, 0.5, 0, 0])).toBe(2);
  });

  it('fixed scale: uniform → 0, one cell → 1, in between log(αL)/log L; relative: α / max α', () => {
    expect(Array.from(displayCells(uniform, 'fixed'))).toEqual([0, 0, 0, 0]);
    expect(Array.from(displayCells(oneHot, 'fixed'))).toEqual([1, 0, 0, 0]);
    const half = displayCells([0.5, 0.5, 0, 0], 'fixed');
    expect(half[0]).toBeCloseTo(Math.log(2) / Math.log(4), 6);
    expect(half[2]).toBe(0);
    expect(Array.from(displayCells(uniform, 'relative'))).toEqual([1, 1, 1, 1]); // relative: a diffuse map looks as sure as a sharp one
    expect(Array.from(displayCells([0.4, 0.2, 0.2, 0.2], 'relative')).map((v) => +v.toFixed(6))).toEqual([1, 0.5, 0.5, 0.5]);
  });

  it('defaults: fixed scale, the cells as they are', () => {
    expect(DEFAULT_DISPLAY.scale).toBe('fixed');
    expect(DEFAULT_DISPLAY.upsample).toBe('nearest');
    // Nearest: every pixel of a cell has the cell's colour (no gradient across the cell).
    const painted = paintWord(photo([200, 100, 50]), region, grid, { word: 'x', alpha: [0.7, 0.1, 0.1, 0.1], beta: 1 });
    expect(at(painted, 1, 1)).toEqual(at(painted, 18, 18));
    expect(at(painted, 1, 1)).not.toEqual(at(painted, 21, 1));
  });

  it('β = 0: a grey photo and no colour; β = 1: the full map; in between, in between', () => {
    const src = photo([200, 100, 50]);
    const lum = Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50);
    const off = paintWord(src, region, grid, { word: 'x', alpha: oneHot, beta: 0 });
    expect(at(off, 5, 5)).toEqual([lum, lum, lum]);
    expect(at(off, 30, 30)).toEqual([lum, lum, lum]);
    const on = paintWord(src, region, grid, { word: 'x', alpha: oneHot, beta: 1 });
    const hot = colormap('viridis')(1);
    const o = DEFAULT_DISPLAY.opacity;
    at(on, 5, 5).forEach((v, k) => expect(v).toBeCloseTo((1 - o) * src.pixels[k]! + o * hot[k]!, -0.5));
    const halfway = paintWord(src, region, grid, { word: 'x', alpha: oneHot, beta: 0.5 });
    const d = (a: number[], b: number[]) => a.reduce((s, v, k) => s + Math.abs(v - b[k]!), 0);
    expect(d(at(halfway, 5, 5), at(on, 5, 5))).toBeGreaterThan(0);
    expect(d(at(halfway, 5, 5), at(off, 5, 5))).toBeGreaterThan(0);
  });

  it('a diffuse map at β = 1 stays dark under the fixed scale, as sure as a sharp one under relative', () => {
    const src = photo([128, 128, 128]);
    const diffuse = paintWord(src, region, grid, { word: 'x', alpha: [0.28, 0.24, 0.24, 0.24], beta: 1 });
    const sharp = paintWord(src, region, grid, { word: 'x', alpha: oneHot, beta: 1 });
    const relative = paintWord(src, region, grid, { word: 'x', alpha: [0.28, 0.24, 0.24, 0.24], beta: 1 }, { scale: 'relative' });
    expect(at(diffuse, 5, 5)).not.toEqual(at(sharp, 5, 5));
    expect(at(relative, 5, 5)).toEqual(at(sharp, 5, 5));
  });

  it('labels carry the word, β and the peak', () => {
    expect(wordLabel('motorcycle', 0.8712, [0.5, 0.5, 0, 0])).toBe('motorcycle  β=0.87  peak 2.0×');
    expect(wordLabel('a', undefined, uniform)).toBe('a  peak 1.0×');
  });
});
