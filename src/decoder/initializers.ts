/**
 * Seeded weight initialisers, computed in plain JS so a seed gives bit-identical weights on every
 * backend (WASM, native, CPU).
 */
import type { Rng } from '../util/random.js';

/** Standard normal samples (Box–Muller). */
function gaussian(rng: Rng, count: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - rng(); // (0, 1]: log stays finite
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * rng();
    out[i] = r * Math.cos(theta);
    if (i + 1 < count) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/** Uniform in [−limit, limit). */
export function uniform(rng: Rng, count: number, limit: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * rng() - 1) * limit;
  return out;
}

/** Glorot/Xavier uniform for a [fanIn, fanOut] matrix: limit √(6 / (fanIn + fanOut)). */
export function glorotUniform(rng: Rng, fanIn: number, fanOut: number): Float32Array {
  return uniform(rng, fanIn * fanOut, Math.sqrt(6 / (fanIn + fanOut)));
}

/**
 * A random n×n orthogonal matrix (row-major): modified Gram–Schmidt on the rows of a Gaussian matrix
 * (float64; one pass keeps |QQᵀ − I| ≈ 1e-13 for n ≤ 1024). Used for the recurrent weights, one block
 * per LSTM gate.
 */
export function orthogonal(rng: Rng, n: number): Float32Array {
  const m = gaussian(rng, n * n);
  const rows = Array.from({ length: n }, (_, i) => m.subarray(i * n, (i + 1) * n));
  for (let i = 0; i < n; i++) {
    const a = rows[i]!;
    for (let j = 0; j < i; j++) {
      const b = rows[j]!;
      let dot = 0;
      for (let k = 0; k < n; k++) dot += a[k]! * b[k]!;
      for (let k = 0; k < n; k++) a[k] = a[k]! - dot * b[k]!;
    }
    let norm = 0;
    for (let k = 0; k < n; k++) norm += a[k]! * a[k]!;
    norm = Math.sqrt(norm);
    for (let k = 0; k < n; k++) a[k] = a[k]! / norm;
  }
  return Float32Array.from(m);
}
