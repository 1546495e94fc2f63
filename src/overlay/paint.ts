/**
 * Painting one word's attention onto the photo: the coloured map is alpha-blended over the encoder's
 * region at `opacity`; outside the region (center-crop's cut-off borders) the photo is dimmed, showing
 * what the encoder never saw. The result is a new image at the photo's original size.
 */
import type { Region, RgbImage } from '../image/types.js';
import { colormapTable, type ColormapName } from './colormaps.js';
import type { GridSize } from './types.js';
import { cellBox } from './upsample.js';

export interface PaintOptions {
  colormap: ColormapName;
  /** Weight of the colour map against the photo inside the region: 0 = photo only, 1 = map only. */
  opacity: number;
  /** A cell of `grid` to outline (the region a hard-attention word was made of). */
  chosen?: { cell: number; grid: GridSize };
}

/** Width in pixels of the outline around a chosen cell. */
const OUTLINE = 2;

/** Outlines cell `cell` of `grid` over `region` in white, in place (pixels [height, width, 3]). */
function outlineCell(image: RgbImage, region: Region, grid: GridSize, cell: number): void {
  if (!Number.isInteger(cell) || cell < 0 || cell >= grid.height * grid.width)
    throw new Error(`chosen cell ${cell} is not in the ${grid.height}×${grid.width} grid`);
  const box = cellBox(region, grid, Math.floor(cell / grid.width), cell % grid.width); // fractional pixels
  const x0 = Math.round(box.left);
  const x1 = Math.round(box.left + box.width) - 1;
  const y0 = Math.round(box.top);
  const y1 = Math.round(box.top + box.height) - 1;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (x - x0 >= OUTLINE && x1 - x >= OUTLINE && y - y0 >= OUTLINE && y1 - y >= OUTLINE) continue;
      image.pixels.fill(255, (y * image.width + x) * 3, (y * image.width + x) * 3 + 3);
    }
  }
}

/** Brightness kept outside the encoder's region. */
export const OUTSIDE_REGION_BRIGHTNESS = 0.35;

/** Throws if `region` is not a whole-pixel rectangle inside the photo. */
export function checkRegion(photo: RgbImage, region: Region): void {
  const { left, top, width, height } = region;
  const whole = [left, top, width, height].every(Number.isInteger);
  if (!whole || left < 0 || top < 0 || width < 1 || height < 1 || left + width > photo.width || top + height > photo.height) {
    throw new Error(`region ${JSON.stringify(region)} is not inside the ${photo.width}×${photo.height} photo`);
  }
}

/**
 * `map`: Float32Array `[region.height, region.width]` in [0, 1] (from `attentionMap`).
 * Returns an `RgbImage` of the photo's size.
 */
export function paintAttention(photo: RgbImage, region: Region, map: Float32Array, options: PaintOptions): RgbImage {
  checkRegion(photo, region);
  if (map.length !== region.width * region.height) {
    throw new Error(`attention map has ${map.length} values, expected ${region.width}×${region.height}`);
  }
  const { width, height } = photo;
  const table = colormapTable(options.colormap); // [256, 3]
  const o = Math.min(1, Math.max(0, options.opacity));
  const src = photo.pixels; // [height, width, 3]
  const out = new Uint8Array(src.length); // [height, width, 3]

  const whole = region.width === width && region.height === height;
  if (!whole) for (let i = 0; i < src.length; i++) out[i] = Math.round(src[i]! * OUTSIDE_REGION_BRIGHTNESS);
  const tinted = Float32Array.from(table, (c) => o * c + 0.5); // o · colour (+ 0.5 to round below), [256, 3]
  for (let y = 0; y < region.height; y++) {
    for (let x = 0; x < region.width; x++) {
      const p = ((region.top + y) * width + region.left + x) * 3;
      const c = ((map[y * region.width + x]! * 255 + 0.5) | 0) * 3; // LUT row of t
      out[p] = (1 - o) * src[p]! + tinted[c]!; // Uint8Array stores truncate: rounded
      out[p + 1] = (1 - o) * src[p + 1]! + tinted[c + 1]!;
      out[p + 2] = (1 - o) * src[p + 2]! + tinted[c + 2]!;
    }
  }
  const painted = { width, height, pixels: out };
  if (options.chosen) outlineCell(painted, region, options.chosen.grid, options.chosen.cell);
  return painted;
}
