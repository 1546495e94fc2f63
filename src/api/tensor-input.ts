/**
 * A tensor input recognised by its shape, not by `instanceof`: an app may hold its own copy of tfjs (or
 * a second one bundled elsewhere), whose Tensor class is not ours. Anything with a numeric `shape`
 * array, a `dtype` and an async `data()` is read as [H, W, 3] RGB pixels.
 */
import { UserError } from '../util/user-error.js';

export interface TensorLike {
  shape: readonly number[];
  dtype: string;
  data(): Promise<ArrayLike<number>>;
}

export function isTensorLike(x: unknown): x is TensorLike {
  const t = x as Partial<TensorLike> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    Array.isArray(t.shape) &&
    t.shape.every((n) => Number.isInteger(n)) &&
    typeof t.dtype === 'string' &&
    typeof t.data === 'function'
  );
}

/** Checks [H, W, 3] and reads the pixels, clamped and rounded to bytes. */
export async function rgbPixels(t: TensorLike, what: string): Promise<{ height: number; width: number; pixels: Uint8Array }> {
  if (t.shape.length !== 3 || t.shape[2] !== 3)
    throw new UserError(`${what}: a tensor must be [height, width, 3] RGB, got [${t.shape.join(', ')}]`);
  const [height, width] = t.shape as [number, number, number];
  const pixels = Uint8Array.from(await t.data(), (v) => Math.max(0, Math.min(255, Math.round(v))));
  return { height, width, pixels };
}
