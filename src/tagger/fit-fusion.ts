/**
 * Fitting the tagger's fusion (tagger.ts): a weight per source and a bias of
 *   p(class in photo) = σ(Σ_k w_k · x_k + b)      x = [z_cap, logit(s_det), logit(s_imagenet), …]
 * by logistic regression on (photo, class) pairs with caption labels. Newton's method on the mean
 * log-loss with a small L2 on the weights: a handful of unknowns, so each step solves a small linear
 * system; deterministic. Each step is halved until the loss falls (a plain Newton step overshoots when
 * the classes are nearly separable and the scores saturate, and then diverges to NaN).
 */

export interface FusionExample {
  /** One number per source, in a fixed order (e.g. the caption head's logit, logit of the detector's score). */
  x: readonly number[];
  /** 1 when the photo shows the class (caption labels), else 0. */
  label: 0 | 1;
}

/** Solves A x = g by Gaussian elimination with partial pivoting. */
function solve(A: number[][], g: number[]): number[] {
  const n = g.length;
  const m = A.map((row, i) => [...row, g[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let k = col; k <= n; k++) m[r]![k]! -= f * m[col]![k]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Mean log-loss of weights-and-bias `w` on the examples, plus the L2 term on the weights. */
function objective(examples: readonly FusionExample[], w: readonly number[], l2: number): number {
  const K = w.length - 1;
  let loss = 0;
  for (const e of examples) {
    const z = e.x.reduce((s, v, i) => s + v * w[i]!, w[K]!);
    // log(1 + e^{-z}) for label 1, log(1 + e^{z}) for label 0, without overflow.
    const m = e.label ? -z : z;
    loss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
  }
  return loss / examples.length + (l2 / 2) * w.slice(0, K).reduce((s, v) => s + v * v, 0);
}

/** The weights (one per source) and bias that fit the examples best. */
export function fitFusion(
  examples: readonly FusionExample[],
  options: { l2?: number; iterations?: number } = {},
): { weights: number[]; bias: number } {
  const first = examples[0];
  if (!first) throw new Error('fitFusion: no examples');
  const K = first.x.length;
  const l2 = options.l2 ?? 1e-3;
  const n = examples.length;
  let w = [...new Array<number>(K).fill(1 / K), 0]; // weights…, bias
  for (let it = 0; it < (options.iterations ?? 25); it++) {
    const g = new Array<number>(K + 1).fill(0);
    const H = Array.from({ length: K + 1 }, () => new Array<number>(K + 1).fill(0));
    for (const e of examples) {
      const x = [...e.x, 1];
      const p = 1 / (1 + Math.exp(-x.reduce((s, v, i) => s + v * w[i]!, 0)));
      const r = p - e.label;
      const h = p * (1 - p);
      for (let i = 0; i <= K; i++) {
        g[i]! += (r * x[i]!) / n;
        for (let j = 0; j <= K; j++) H[i]![j]! += (h * x[i]! * x[j]!) / n;
      }
    }
    for (let i = 0; i < K; i++) {
      g[i]! += l2 * w[i]!;
      H[i]![i]! += l2;
    }
    H[K]![K]! += 1e-12; // keeps the system solvable when every score is saturated
    const step = solve(H, g);
    const before = objective(examples, w, l2);
    let t = 1;
    let next = w.map((v, i) => v - step[i]!);
    for (let halvings = 0; !(objective(examples, next, l2) <= before) && halvings < 40; halvings++) {
      t /= 2;
      next = w.map((v, i) => v - t * step[i]!);
    }
    if (!(objective(examples, next, l2) <= before)) break; // no step lowers the loss: at the optimum
    w = next;
    if (Math.max(...step.map((v) => Math.abs(t * v))) < 1e-9) break;
  }
  return { weights: w.slice(0, K), bias: w[K]! };
}
