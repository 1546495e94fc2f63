/**
 * x·w for a weight w used at every step of one unroll (LSTM recurrence, attention query, β gate),
 * with a backward pass shaped for speed:
 * - wᵀ is made once per forward pass, not copied and transposed per step (on WASM a matmul re-packs
 *   its right operand whenever that is a new tensor: ~50 ms for 1024×2048);
 * - the weight gradient Σ_t x_tᵀ dy_t is one [K, T·N] × [T·N, M] matmul instead of T small ones and
 *   T − 1 additions.
 *
 * How (see step-shared.ts): every step's op saves its (x_t, dy_t) during backprop; the first step's
 * gradient, which runs last, returns the whole Σ_t x_tᵀ dy_t. Without a gradient tape it is the
 * backend's plain matmul.
 */
import * as tf from '../util/tf.js';
import type { FastPaths } from './types.js';
import { recording, StepShared, stepShared } from './step-shared.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/** The per-unroll state of one weight: its transpose, and each step's (x_t, dy_t) until the first step's gradient. */
class StepMatMul extends StepShared {
  private wT: tf.Tensor2D | null;
  private stash: { x: tf.Tensor2D; dy: tf.Tensor2D }[] = [];

  /** `matMul`: the backend's (see src/fast-paths/dispatch.ts). */
  constructor(
    readonly w: tf.Tensor2D,
    private readonly matMul: FastPaths['matMul'],
  ) {
    super();
    // wᵀ once per forward pass: a plain [N, M] × [M, K] matmul per step (on native ≈ 2× faster than
    // MatMul with transpose_b for the LSTM's 32×2048 × (1280×2048)ᵀ).
    this.wT = tf.keep(tf.transpose(w)); // [M, K]
  }

  /** One step: x [N, K] × w [K, M] → [N, M]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    const first = this.nextStepIsFirst();
    const op = tf.customGrad((...args: Args) => {
      const xi = args[0] as tf.Tensor2D;
      const save = args[args.length - 1] as tf.GradSaveFunc;
      save([xi]);
      return {
        value: this.matMul(xi, this.w), // [N, M]
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const wT = this.wT;
          if (!wT) throw new Error('StepMatMul: backward pass after its tensors were freed');
          const dx = this.matMul(dy as tf.Tensor2D, wT); // [N, K]
          this.stash.push({ x: tf.keep(tf.clone(saved[0] as tf.Tensor2D)), dy: tf.keep(tf.clone(dy as tf.Tensor2D)) });
          if (!first) return [dx];
          const dw = this.weightGradient(); // [K, M]
          this.free();
          return [dx, dw];
        },
      };
    });
    return (first ? op(x, this.w) : op(x)) as tf.Tensor2D;
  }

  /** Σ_t x_tᵀ dy_t over every step backpropagated so far. */
  private weightGradient(): tf.Tensor2D {
    const xs = tf.concat(
      this.stash.map((s) => s.x),
      0,
    ) as tf.Tensor2D; // [T·N, K]
    const dys = tf.concat(
      this.stash.map((s) => s.dy),
      0,
    ) as tf.Tensor2D; // [T·N, M]
    return this.matMul(xs, dys, true, false); // [K, M]
  }

  protected release(): void {
    this.wT?.dispose();
    this.wT = null;
    tf.dispose(this.stash.flatMap((s) => [s.x, s.dy]));
    this.stash = [];
  }
}

/** The stepMatMul fast path on the backend's `matMul`. */
export function stepMatMulOn(matMul: FastPaths['matMul']): FastPaths['stepMatMul'] {
  return (x, w) => (recording() ? stepShared(w, () => new StepMatMul(w, matMul)).apply(x) : matMul(x, w));
}
