/**
 * Colour maps for attention: t ∈ [0, 1] (0 = no attention, 1 = the hottest cell) → sRGB [r, g, b] bytes.
 *
 * - `viridis` (default): perceptually uniform, readable in greyscale and by colour-blind readers. 33
 *   knots (t = k/32) of matplotlib's viridis, linearly interpolated: within 2/255 of its 256 entries.
 * - `greys`: black → white (matplotlib's `Greys_r`). Blended over the photo it darkens what the model
 *   ignored and lays a white glow where it looked — the look of the paper's figures, which the
 *   authors drew with Greys_r at opacity 0.8 (`--opacity 0.8` reproduces it).
 * - `jet`: matplotlib's jet (dark blue → cyan → yellow → dark red), for comparison with older figures.
 */

export type Rgb = readonly [number, number, number];
export type ColormapName = 'viridis' | 'greys' | 'jet';
const COLORMAP_NAMES: readonly ColormapName[] = ['viridis', 'greys', 'jet'];

export function isColormapName(name: string): name is ColormapName {
  return (COLORMAP_NAMES as readonly string[]).includes(name);
}

const VIRIDIS_KNOTS = [
  '#440154',
  '#470d60',
  '#48186a',
  '#482374',
  '#472d7b',
  '#453681',
  '#424086',
  '#3f4989',
  '#3b528b',
  '#375a8d',
  '#33638d',
  '#2f6a8e',
  '#2c728e',
  '#297a8e',
  '#26818e',
  '#23898e',
  '#21908c',
  '#1f988b',
  '#1f9f88',
  '#21a685',
  '#28ae80',
  '#31b57b',
  '#3ebc74',
  '#4cc26c',
  '#5dc963',
  '#6ece58',
  '#82d34c',
  '#96d83f',
  '#abdc32',
  '#c0df24',
  '#d5e21a',
  '#eae51a',
  '#fde725',
].map((hex): Rgb => [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]);

/** matplotlib's `_jet_data`: per channel, (t, value) breakpoints of a piecewise-linear ramp. */
type Ramp = readonly (readonly [number, number])[];
const JET: readonly [Ramp, Ramp, Ramp] = [
  [
    [0, 0],
    [0.35, 0],
    [0.66, 1],
    [0.89, 1],
    [1, 0.5],
  ], // red
  [
    [0, 0],
    [0.125, 0],
    [0.375, 1],
    [0.64, 1],
    [0.91, 0],
    [1, 0],
  ], // green
  [
    [0, 0.5],
    [0.11, 1],
    [0.34, 1],
    [0.65, 0],
    [1, 0],
  ], // blue
];

const clamp01 = (t: number): number => (t > 0 ? (t < 1 ? t : 1) : 0); // NaN → 0

function viridis(t: number): Rgb {
  const x = clamp01(t) * (VIRIDIS_KNOTS.length - 1);
  const k = Math.min(VIRIDIS_KNOTS.length - 2, Math.floor(x));
  const f = x - k;
  const a = VIRIDIS_KNOTS[k]!;
  const b = VIRIDIS_KNOTS[k + 1]!;
  const mix = (c: 0 | 1 | 2): number => Math.round(a[c] + (b[c] - a[c]) * f);
  return [mix(0), mix(1), mix(2)];
}

function ramp(points: Ramp, t: number): number {
  for (let i = 1; i < points.length; i++) {
    const [t1, v1] = points[i]!;
    if (t <= t1) {
      const [t0, v0] = points[i - 1]!;
      return v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
    }
  }
  return points[points.length - 1]![1];
}

function jet(t: number): Rgb {
  const x = clamp01(t);
  const [r, g, b] = JET;
  return [Math.round(255 * ramp(r, x)), Math.round(255 * ramp(g, x)), Math.round(255 * ramp(b, x))];
}

function greys(t: number): Rgb {
  const v = Math.round(255 * clamp01(t));
  return [v, v, v];
}

const MAPS: Record<ColormapName, (t: number) => Rgb> = { viridis, greys, jet };

/** The colour map `name`: t ∈ [0, 1] (clamped) → [r, g, b], each an integer 0–255. */
export function colormap(name: ColormapName): (t: number) => Rgb {
  return MAPS[name];
}

/** The map sampled at t = i/255 for i = 0…255: Uint8Array `[256, 3]`, for painting many pixels fast. */
export function colormapTable(name: ColormapName): Uint8Array {
  const f = MAPS[name];
  const table = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) table.set(f(i / 255), i * 3);
  return table;
}
