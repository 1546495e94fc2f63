/**
 * α (h×w cells) → a per-pixel attention map over the encoder's region of the photo.
 *
 * Geometry (shared with the grounding metric): the region is W×H pixels and cell (r, c) covers the
 * pixel rectangle x ∈ [c·W/w, (c+1)·W/w), y ∈ [r·H/h, (r+1)·H/h); its centre is ((c+0.5)·W/w, (r+0.5)·H/h)
 * in region pixel coordinates (add region.left/top for photo coordinates). A pixel (x, y) is sampled
 * at its own centre (x+0.5, y+0.5), i.e. at cell coordinate u = (x+0.5)·w/W − 0.5, so a cell's value
 * sits exactly on its centre.
 *
 * Display normalisation: α is divided by its largest cell, so the hottest cell is 1 and the map shows
 * where attention went *relative to this word* (α itself is ~1/L when spread out). Bicubic ringing
 * (lobes down to −7% beside a peak, overshoot above 1 between hot cells) is clamped into [0, 1].
 */
import type { Region } from '../image/types.js';
import type { GridSize } from './types.js';

/** `smooth`: bicubic (Keys, a = −0.5, edges clamped), C¹ with no cell edges; `nearest`: the grid's cells as they are (the default of overlays; --smooth for bicubic). */
export type UpsampleMode = 'smooth' | 'nearest';

/**
 * A 1-D resampling plan: output pixel i reads cells `index[4i + k]` with weights `weight[4i + k]`,
 * k = 0…3 (nearest uses one tap of weight 1, so both modes share one fast loop).
 */
interface Plan {
  index: Int32Array; // [outSize · 4]
  weight: Float32Array; // [outSize · 4]
}

/** Keys' cubic convolution kernel with a = −0.5 (Catmull-Rom): interpolating, support (−2, 2). */
function keys(x: number): number {
  const s = Math.abs(x);
  if (s <= 1) return (1.5 * s - 2.5) * s * s + 1;
  if (s < 2) return ((-0.5 * s + 2.5) * s - 4) * s + 2;
  return 0;
}

function plan(cells: number, outSize: number, mode: UpsampleMode): Plan {
  const index = new Int32Array(outSize * 4);
  const weight = new Float32Array(outSize * 4);
  for (let i = 0; i < outSize; i++) {
    const centre = ((i + 0.5) * cells) / outSize; // pixel centre, in cell units
    if (mode === 'nearest') {
      index.fill(Math.min(cells - 1, Math.floor(centre)), i * 4, i * 4 + 4);
      weight[i * 4] = 1;
      continue;
    }
    const u = centre - 0.5; // cell coordinate: cell c's centre is at u = c
    const c0 = Math.floor(u);
    const t = u - c0;
    for (let k = 0; k < 4; k++) {
      index[i * 4 + k] = Math.min(cells - 1, Math.max(0, c0 - 1 + k)); // clamped edges
      weight[i * 4 + k] = keys(t - (k - 1));
    }
  }
  return { index, weight };
}

/** α divided by its largest cell (all zeros if α has no positive cell). Throws if α is not h·w long. */
export function normalisedCells(alpha: ArrayLike<number>, grid: GridSize): Float32Array {
  const cells = grid.height * grid.width;
  if (alpha.length !== cells) {
    throw new Error(`attention has ${alpha.length} values, expected ${grid.height}×${grid.width} = ${cells}`);
  }
  let max = 0;
  for (let i = 0; i < cells; i++) {
    const a = alpha[i]!;
    if (a > max) max = a; // NaN never wins
  }
  const out = new Float32Array(cells); // [h · w]
  if (!(max > 0) || !Number.isFinite(max)) return out;
  for (let i = 0; i < cells; i++) {
    const a = alpha[i]!;
    out[i] = a > 0 ? a / max : 0;
  }
  return out;
}

/**
 * The display map of one word over a width×height region: Float32Array `[height, width]`, row-major,
 * values in [0, 1] (1 = the hottest cell's centre).
 */
export function attentionMap(
  alpha: ArrayLike<number>,
  grid: GridSize,
  width: number,
  height: number,
  mode: UpsampleMode = 'smooth',
  /** Divide by the largest cell first (true), or take `alpha` as display values already in [0, 1] (display.ts). */
  normalise = true,
): Float32Array {
  if (!normalise && alpha.length !== grid.height * grid.width)
    throw new Error(`attention has ${alpha.length} values, expected ${grid.height}×${grid.width} = ${grid.height * grid.width}`);
  const cells = normalise ? normalisedCells(alpha, grid) : Float32Array.from(alpha); // [h · w]
  const { height: h, width: w } = grid;
  const px = plan(w, width, mode);
  const py = plan(h, height, mode);

  // Separable: first along x for each cell row, then along y.
  const rows = new Float32Array(h * width); // [h, width]
  for (let r = 0; r < h; r++) {
    for (let x = 0; x < width; x++) {
      let v = 0;
      for (let k = 0; k < 4; k++) v += px.weight[x * 4 + k]! * cells[r * w + px.index[x * 4 + k]!]!;
      rows[r * width + x] = v;
    }
  }
  const out = new Float32Array(width * height); // [height, width]
  for (let y = 0; y < height; y++) {
    const { weight: wy, index: iy } = py;
    const t = y * 4;
    const [w0, w1, w2, w3] = [wy[t]!, wy[t + 1]!, wy[t + 2]!, wy[t + 3]!];
    const [r0, r1, r2, r3] = [iy[t]! * width, iy[t + 1]! * width, iy[t + 2]! * width, iy[t + 3]! * width]; // rows' offsets
    for (let x = 0; x < width; x++) {
      const v = w0 * rows[r0 + x]! + w1 * rows[r1 + x]! + w2 * rows[r2 + x]! + w3 * rows[r3 + x]!;
      out[y * width + x] = v < 0 ? 0 : v > 1 ? 1 : v; // clamp bicubic overshoot
    }
  }
  return out;
}

/** The pixel rectangle of cell (row, col) in photo coordinates (fractional edges, see the top comment). */
export function cellBox(region: Region, grid: GridSize, row: number, col: number): Region {
  const cw = region.width / grid.width;
  const ch = region.height / grid.height;
  return { left: region.left + col * cw, top: region.top + row * ch, width: cw, height: ch };
}
