/**
 * Where the objects of one picture go. Objects never overlap and the relation is never in doubt:
 * in a row, neighbours are ≥ 8 px apart horizontally and their centres differ vertically by at most
 * 25 px, while their centres are ≥ 52 px apart horizontally (a column is the same, transposed).
 * Sizes (at 224 px, scaled with the image): one object 56–96 px, two 48–80 px, three 44–64 px, so
 * each covers at least 2×2 cell centres of the 14×14 attention grid.
 */
import type { Region } from '../../image/types.js';
import { randomInt, type Rng } from '../../util/random.js';
import type { Arrangement } from './grammar.js';

const SIZE_RANGE: Readonly<Record<number, readonly [number, number]>> = { 1: [56, 96], 2: [48, 80], 3: [44, 64] };
const MARGIN = 6;
const MIN_GAP = 8;
const JITTER = 12;

/** Integer parts ≥ 0 that sum to `total`, split at random. */
function splitRandomly(rng: Rng, total: number, parts: number): number[] {
  const weights = Array.from({ length: parts }, () => rng());
  const sum = weights.reduce((a, b) => a + b, 0) || 1;
  const out = weights.map((w) => Math.floor((w / sum) * total));
  out[parts - 1] = (out[parts - 1] ?? 0) + total - out.reduce((a, b) => a + b, 0);
  return out;
}

/** Boxes for `count` objects (1–3) in the given arrangement, in caption order, inside a size×size image. */
export function layoutBoxes(rng: Rng, count: number, arrangement: Arrangement, size: number): Region[] {
  const range = SIZE_RANGE[count];
  if (!range || (count === 1) !== (arrangement === 'single')) {
    throw new RangeError(`cannot lay out ${count} object(s) as ${arrangement}`);
  }
  const k = size / 224;
  const margin = Math.round(MARGIN * k);
  const sides = Array.from({ length: count }, () => randomInt(rng, Math.round(range[0] * k), Math.round(range[1] * k)));
  if (arrangement === 'single') {
    const s = sides[0] as number;
    return [{ left: randomInt(rng, margin, size - margin - s), top: randomInt(rng, margin, size - margin - s), width: s, height: s }];
  }
  const gap = Math.round(MIN_GAP * k);
  const jitter = Math.round(JITTER * k);
  // Along the arrangement's axis: margins, sides and gaps, with the slack spread at random.
  const slack = size - 2 * margin - sides.reduce((a, b) => a + b, 0) - (count - 1) * gap;
  if (slack < 0) throw new RangeError(`image size ${size} is too small for ${count} objects`);
  const extra = splitRandomly(rng, slack, count + 1);
  // Across it: a band the objects' centres stay near.
  const maxSide = Math.max(...sides);
  const lo = margin + maxSide / 2 + jitter;
  const centre = lo + rng() * Math.max(0, size - margin - maxSide / 2 - jitter - lo);
  let along = margin + (extra[0] ?? 0);
  return sides.map((s, i) => {
    const start = along;
    along += s + gap + (extra[i + 1] ?? 0);
    const across = Math.round(centre + (rng() * 2 - 1) * jitter - s / 2);
    return arrangement === 'row'
      ? { left: start, top: across, width: s, height: s }
      : { left: across, top: start, width: s, height: s };
  });
}
