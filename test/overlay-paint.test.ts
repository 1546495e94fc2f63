import { describe, expect, it } from 'vitest';
import { encoderRegion } from '../src/image/region.js';
import type { Region, RgbImage } from '../src/image/types.js';
import { colormap, type Rgb } from '../src/overlay/colormaps.js';
import { OUTSIDE_REGION_BRIGHTNESS, paintAttention } from '../src/overlay/paint.js';
import { attentionMap, cellBox, type UpsampleMode } from '../src/overlay/upsample.js';

const grid = { height: 14, width: 14 };

function greyPhoto(width: number, height: number): RgbImage {
  return { width, height, pixels: new Uint8Array(width * height * 3).fill(128) };
}

/** Paints a one-hot α at (row, col) at opacity 1 with viridis. */
function paintOneHot(photo: RgbImage, region: Region, row: number, col: number, mode: UpsampleMode): RgbImage {
  const alpha = new Float32Array(196);
  alpha[row * 14 + col] = 1;
  const map = attentionMap(alpha, grid, region.width, region.height, mode);
  return paintAttention(photo, region, map, { colormap: 'viridis', opacity: 1 });
}

/** Centroid (pixel-centre coordinates) of the pixels closest to `target`, and their distance to it. */
function closestCentroid(image: RgbImage, target: Rgb): { x: number; y: number; distance: number } {
  let best = Infinity;
  let sx = 0;
  let sy = 0;
  let n = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const p = (y * image.width + x) * 3;
      const d = Math.hypot(image.pixels[p]! - target[0], image.pixels[p + 1]! - target[1], image.pixels[p + 2]! - target[2]);
      if (d < best - 1e-9) [best, sx, sy, n] = [d, 0, 0, 0];
      if (d <= best + 1e-9) [sx, sy, n] = [sx + x + 0.5, sy + y + 0.5, n + 1];
    }
  }
  return { x: sx / n, y: sy / n, distance: best };
}

describe('painting attention', () => {
  const cases: [string, number, number, 'squash' | 'center-crop'][] = [
    ['square photo', 224, 224, 'squash'],
    ['non-square photo', 300, 180, 'squash'],
    ['center-crop of a non-square photo', 300, 180, 'center-crop'],
    ['center-crop of a portrait photo', 170, 260, 'center-crop'],
  ];
  for (const [name, width, height, policy] of cases) {
    for (const mode of ['smooth', 'nearest'] as const) {
      it(`is hottest over the attended cell: ${name}, ${mode}`, () => {
        const photo = greyPhoto(width, height);
        const region = encoderRegion(policy, width, height);
        const painted = paintOneHot(photo, region, 3, 10, mode);
        expect(painted.width).toBe(width);
        expect(painted.height).toBe(height);

        const hot = closestCentroid(painted, colormap('viridis')(1));
        expect(hot.distance).toBeLessThan(15); // yellow (a pixel centre may miss the cell centre: t ≈ 0.99)
        const box = cellBox(region, grid, 3, 10);
        expect(hot.x).toBeGreaterThan(box.left);
        expect(hot.x).toBeLessThan(box.left + box.width);
        expect(hot.y).toBeGreaterThan(box.top);
        expect(hot.y).toBeLessThan(box.top + box.height);
      });
    }
  }

  it('blends at the given opacity inside the region and dims the photo outside it', () => {
    const photo = greyPhoto(300, 180);
    const region = encoderRegion('center-crop', 300, 180); // x ∈ [60, 240)
    const map = new Float32Array(region.width * region.height); // all 0 → viridis(0)
    const painted = paintAttention(photo, region, map, { colormap: 'viridis', opacity: 0.6 });
    const at = (x: number, y: number): number[] => Array.from(painted.pixels.subarray((y * 300 + x) * 3, (y * 300 + x) * 3 + 3));
    const [r, g, b] = colormap('viridis')(0);
    expect(at(150, 90)).toEqual([r, g, b].map((c) => Math.round(0.4 * 128 + 0.6 * c)));
    expect(at(10, 90)).toEqual(Array(3).fill(Math.round(128 * OUTSIDE_REGION_BRIGHTNESS)));
    expect(at(299, 0)).toEqual(at(10, 90));
    expect(photo.pixels.every((v) => v === 128)).toBe(true); // the input is not touched
  });

  it('refuses a region outside the photo or a map of the wrong size', () => {
    const photo = greyPhoto(50, 40);
    expect(() =>
      paintAttention(photo, { left: 20, top: 0, width: 40, height: 40 }, new Float32Array(1600), { colormap: 'jet', opacity: 1 }),
    ).toThrow(/not inside/);
    expect(() =>
      paintAttention(photo, { left: 0, top: 0, width: 40, height: 40 }, new Float32Array(10), { colormap: 'jet', opacity: 1 }),
    ).toThrow(/expected 40×40/);
  });
});

describe('the chosen region of a hard-attention word', () => {
  it('is outlined in white around exactly its cell; the rest is painted as without it', () => {
    const photo = greyPhoto(224, 112);
    const region = { left: 0, top: 0, width: 224, height: 112 };
    const alpha = new Float32Array(196).fill(1 / 196);
    const map = attentionMap(alpha, grid, region.width, region.height, 'smooth');
    const plain = paintAttention(photo, region, map, { colormap: 'viridis', opacity: 0.6 });
    const marked = paintAttention(photo, region, map, { colormap: 'viridis', opacity: 0.6, chosen: { cell: 2 * 14 + 5, grid } });
    const at = (im: RgbImage, x: number, y: number) => Array.from(im.pixels.subarray((y * im.width + x) * 3, (y * im.width + x) * 3 + 3));
    // cell (2, 5): x 80–95, y 16–23 on a 224×112 region
    for (const [x, y] of [
      [80, 16],
      [95, 23],
      [81, 20],
      [88, 17],
      [94, 22],
    ])
      expect(at(marked, x!, y!), `${x},${y}`).toEqual([255, 255, 255]);
    for (const [x, y] of [
      [82, 19],
      [88, 20],
      [79, 20],
      [96, 20],
      [88, 15],
      [88, 24],
    ])
      expect(at(marked, x!, y!), `${x},${y}`).toEqual(at(plain, x!, y!));
    let changed = 0;
    for (let i = 0; i < plain.pixels.length; i += 3) if (plain.pixels[i] !== marked.pixels[i]) changed++;
    expect(changed).toBe(16 * 8 - 12 * 4); // the 2-px ring of a 16×8 cell
    expect(() => paintAttention(photo, region, map, { colormap: 'viridis', opacity: 0.6, chosen: { cell: 196, grid } })).toThrow(
      /not in the 14×14 grid/,
    );
  });
});
