/**
 * A tensor used at every step of one unroll (a weight: the recurrence, the attention query, the gate;
 * or the attention keys) whose gradient the fast paths sum by hand rather than leave to tfjs, which
 * would add one full-size tensor per step: StepMatMul (step-matmul.ts) and FusedAdditiveScores
 * (fused-ops.ts).
 *
 * How: only the first step's op takes the shared tensor as a tape input. Backprop visits steps last to
 * first, so the first step's gradient runs last: each later step adds its part to a running sum kept
 * here, and the first step returns the whole sum as the shared tensor's gradient.
 *
 * The model calls plain functions of tensors (`stepMatMul(x, w)`, `additiveScores(keys, q, w)`); the
 * per-unroll bookkeeping lives here, found by `stepShared(tensor, make)`: one object per shared tensor
 * and gradient computation (tfjs's gradient tape), made on the tensor's first step. So every step that
 * uses a shared tensor under one tape counts as one unroll: the decoder's training objectives unroll
 * once per gradient. Without a gradient tape there is no bookkeeping: the fast paths run plain ops.
 */
import * as tf from '../util/tf.js';

/** Step-shared objects whose backward pass has not finished yet. */
const pending = new Set<StepShared>();

/** The object of each shared tensor on the current tape (looked up by the tensor, checked against the tape). */
const byTensor = new WeakMap<tf.Tensor, StepShared>();

/** The engine's current gradient tape (an internal field whose identity changes per top-level gradient). */
function activeTape(): unknown {
  return (tf.engine() as unknown as { state: { activeTape?: unknown } }).state.activeTape;
}

/** Whether a gradient tape is recording (else a fast path needs no bookkeeping). */
export function recording(): boolean {
  return tf.engine().isTapeOn();
}

/**
 * The step-shared object of `shared` in the current gradient computation: made by `make` on the
 * tensor's first step, the same object on its later steps. Call only while `recording()`.
 */
export function stepShared<T extends StepShared>(shared: tf.Tensor, make: () => T): T {
  const tape = activeTape();
  const known = byTensor.get(shared);
  if (known && known.tape === tape && pending.has(known)) return known as T;
  const made = make();
  byTensor.set(shared, made);
  return made;
}

export abstract class StepShared {
  readonly tape: unknown;
  private calls = 0;

  constructor() {
    this.tape = activeTape();
    // One of an earlier gradient computation whose first step was never backpropagated (not on the
    // path to the variables asked for) still holds tensors: free them now.
    for (const other of pending) if (other.tape !== this.tape) other.free();
    pending.add(this);
  }

  /** Counts a step; true for the first, whose op must take the shared tensor as a tape input. */
  protected nextStepIsFirst(): boolean {
    return this.calls++ === 0;
  }

  /** Releases what the backward pass kept (after the first step's gradient, or when abandoned). */
  protected free(): void {
    pending.delete(this);
    this.release();
  }

  protected abstract release(): void;
}
