/**
 * A weight multiplied at every time step (LSTM recurrence, attention query, β gate), with a backward
 * pass shaped for speed:
 * - wᵀ is made once per forward pass, not copied and transposed per step (on WASM a matmul re-packs
 *   its right operand whenever that is a new tensor: ~50 ms for 1024×2048);
 * - the weight gradient Σ_t x_tᵀ dy_t is one [K, T·N] × [T·N, M] matmul instead of T small ones and
 *   T − 1 additions.
 *
 * How (see StepShared): every step's op saves its (x_t, dy_t) during backprop; the first step's
 * gradient, which runs last, returns the whole Σ_t x_tᵀ dy_t. Without a gradient tape, `apply` is a
 * plain matmul.
 */
import * as tf from '../../util/tf.js';
import type { FastPaths, SharedWeight } from '../fast-path-types.js';
import { StepShared } from './step-shared.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

export class StepWeight extends StepShared implements SharedWeight {
  private wT: tf.Tensor2D | null = null;
  private stash: { x: tf.Tensor2D; dy: tf.Tensor2D }[] = [];

  /** `matMul`: the backend's (see src/backend/dispatch.ts). */
  constructor(
    readonly w: tf.Tensor2D,
    private readonly matMul: FastPaths['matMul'],
  ) {
    super();
    if (!this.recording) return;
    // wᵀ once per forward pass: a plain [N, M] × [M, K] matmul per step (on native ≈ 2× faster than
    // MatMul with transpose_b for the LSTM's 32×2048 × (1280×2048)ᵀ).
    this.wT = tf.keep(tf.transpose(w)); // [M, K]
  }

  /** x [N, K] × w [K, M] → [N, M]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.recording) return this.matMul(x, this.w);
    const first = this.nextStepIsFirst();
    const op = tf.customGrad((...args: Args) => {
      const xi = args[0] as tf.Tensor2D;
      const save = args[args.length - 1] as tf.GradSaveFunc;
      save([xi]);
      return {
        value: this.matMul(xi, this.w), // [N, M]
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const wT = this.wT;
          if (!wT) throw new Error('StepWeight: backward pass after its tensors were freed');
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
