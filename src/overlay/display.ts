/**
 * How one word's attention is shown — the rules every picture follows (PNG overlays, the grid figure,
 * the review page, the API's overlay() and paint(), the demo), so that a map that says "not here" never
 * looks like one that says "exactly here":
 *  - the gate fades it: the colour map's opacity is multiplied by β, and the photo under it is greyed by
 *    (1 − β), so a word the image barely entered (β ≈ 0) shows a grey photo with no colour;
 *  - a fixed scale by default: a cell's colour is log(α·L) / log L (0 at or below uniform attention,
 *    1 when all attention is on that one cell), so a diffuse map stays dark; `relative` (α / max α, the
 *    hottest cell always full colour) is available for looking at the shape of a weak map;
 *  - cells by default (nearest): a 7×7 grid has 49 numbers, and smooth (bicubic) upsampling would draw
 *    detail that is not in them; `smooth` is available;
 *  - the label says the word, β and the peak: max α × L (1× = uniform, L× = one cell).
 */
import type { Region, RgbImage } from '../image/types.js';
import type { ColormapName } from './colormaps.js';
import { paintAttention } from './paint.js';
import type { GridSize, WordAttention } from './types.js';
import { attentionMap, type UpsampleMode } from './upsample.js';

export type AttentionScale = 'fixed' | 'relative';
export const ATTENTION_SCALES: readonly AttentionScale[] = ['fixed', 'relative'];

export interface DisplayOptions {
  colormap: ColormapName;
  /** Weight of the colour map over the photo at β = 1, 0–1. */
  opacity: number;
  scale: AttentionScale;
  upsample: UpsampleMode;
}

export const DEFAULT_DISPLAY: DisplayOptions = { colormap: 'viridis', opacity: 0.6, scale: 'fixed', upsample: 'nearest' };

/** max α × L: 1 for uniform attention, L for all of it on one cell. */
export function peakOverUniform(alpha: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < alpha.length; i++) if (alpha[i]! > max) max = alpha[i]!;
  return max * alpha.length;
}

/** The cells' display values in [0, 1] under `scale` (fixed: log(α·L)/log L clamped; relative: α / max α). */
export function displayCells(alpha: ArrayLike<number>, scale: AttentionScale): Float32Array {
  const L = alpha.length;
  const out = new Float32Array(L);
  if (scale === 'relative') {
    const peak = peakOverUniform(alpha) / L;
    if (!(peak > 0) || !Number.isFinite(peak)) return out;
    for (let i = 0; i < L; i++) out[i] = alpha[i]! > 0 ? alpha[i]! / peak : 0;
    return out;
  }
  const logL = Math.log(Math.max(2, L));
  for (let i = 0; i < L; i++) {
    const v = Math.log(alpha[i]! * L) / logL;
    out[i] = v > 0 ? Math.min(1, v) : 0;
  }
  return out;
}

/** The label of a word: "motorcycle  β=0.87  peak 6.2×" (β and peak when known). */
export function wordLabel(word: string, beta: number | undefined, alpha: ArrayLike<number>): string {
  const gate = beta === undefined ? '' : `  β=${beta.toFixed(2)}`;
  return `${word}${gate}  peak ${peakOverUniform(alpha).toFixed(1)}×`;
}

/** Greys the region of `image` toward its luminance by `amount` (0 = as is, 1 = grey), in place. */
function greyRegion(image: RgbImage, region: Region, amount: number): void {
  if (!(amount > 0)) return;
  const a = Math.min(1, amount);
  for (let y = region.top; y < region.top + region.height; y++) {
    for (let x = region.left; x < region.left + region.width; x++) {
      const p = (y * image.width + x) * 3;
      const lum = 0.299 * image.pixels[p]! + 0.587 * image.pixels[p + 1]! + 0.114 * image.pixels[p + 2]!;
      for (let k = 0; k < 3; k++) image.pixels[p + k] = Math.round((1 - a) * image.pixels[p + k]! + a * lum);
    }
  }
}

/** One word's attention over the photo's `region` (the part the encoder saw), by the rules above. */
export function paintWord(
  photo: RgbImage,
  region: Region,
  grid: GridSize,
  word: WordAttention,
  options: Partial<DisplayOptions> = {},
): RgbImage {
  const o = { ...DEFAULT_DISPLAY, ...options };
  const beta = word.beta === undefined ? 1 : Math.min(1, Math.max(0, word.beta));
  const base: RgbImage = { width: photo.width, height: photo.height, pixels: photo.pixels.slice() };
  greyRegion(base, region, 1 - beta);
  const map = attentionMap(displayCells(word.alpha, o.scale), grid, region.width, region.height, o.upsample, false); // [region h, w]
  const chosen = word.region !== undefined ? { chosen: { cell: word.region, grid } } : {};
  return paintAttention(base, region, map, { colormap: o.colormap, opacity: o.opacity * beta, ...chosen });
}
