import { describe, expect, it } from 'vitest';
import { colormap, colormapTable, isColormapName, type Rgb } from '../src/overlay/colormaps.js';

const near = (actual: Rgb, expected: Rgb, tolerance: number): void =>
  actual.forEach((v, k) => expect(Math.abs(v - expected[k]!)).toBeLessThanOrEqual(tolerance));

describe('colour maps', () => {
  it("viridis matches matplotlib's at its ends and middle", () => {
    const viridis = colormap('viridis');
    near(viridis(0), [0x44, 0x01, 0x54], 1);
    near(viridis(1), [0xfd, 0xe7, 0x25], 1);
    near(viridis(0.5), [0x21, 0x91, 0x8c], 2);
    near(viridis(-3), viridis(0), 0); // clamped
    near(viridis(Number.NaN), viridis(0), 0);
  });

  it('jet goes from dark blue to dark red', () => {
    const [r0, g0, b0] = colormap('jet')(0);
    expect(b0).toBeGreaterThan(120);
    expect(Math.max(r0, g0)).toBeLessThan(20);
    const [r1, g1, b1] = colormap('jet')(1);
    expect(r1).toBeGreaterThan(100);
    expect(r1).toBeLessThan(200);
    expect(Math.max(g1, b1)).toBeLessThan(20);
    near(colormap('jet')(0.5), [124, 255, 121], 8); // green-ish middle
  });

  it('greys is monotone from black to white', () => {
    const greys = colormap('greys');
    expect(greys(0)).toEqual([0, 0, 0]);
    expect(greys(1)).toEqual([255, 255, 255]);
    for (let i = 1; i <= 100; i++) {
      const [a] = greys((i - 1) / 100);
      const [b, g, bl] = greys(i / 100);
      expect(b).toBeGreaterThanOrEqual(a);
      expect(g).toBe(b);
      expect(bl).toBe(b);
    }
  });

  it('tables sample the map at i/255 and names are checked', () => {
    const table = colormapTable('viridis');
    expect(table.length).toBe(768);
    expect(Array.from(table.subarray(765))).toEqual([...colormap('viridis')(1)]);
    expect(isColormapName('jet')).toBe(true);
    expect(isColormapName('hot')).toBe(false);
  });
});
