/**
 * A tensor used at every decoding step of one unroll whose gradient is summed by hand, not by tfjs
 * (which would add one full-size tensor per step): the recurrent weights (StepWeight) and the
 * attention keys (FusedAdditiveScorer).
 *
 * How: only the first step's op takes the shared tensor as a tape input. Backprop visits steps last to
 * first, so the first step's gradient runs last: each later step adds its part to a running sum kept
 * here, and the first step returns the whole sum as the shared tensor's gradient. Without a gradient
 * tape nothing is kept.
 */
import * as tf from '../../util/tf.js';

/** Shared-step objects whose backward pass has not finished yet. */
const pending = new Set<StepShared>();

/** The engine's current gradient tape (an internal field whose identity changes per top-level gradient). */
function activeTape(): unknown {
  return (tf.engine() as unknown as { state: { activeTape?: unknown } }).state.activeTape;
}

export abstract class StepShared {
  /** Whether a gradient tape was recording when this was made (else `apply` needs no bookkeeping). */
  protected readonly recording: boolean;
  private readonly tape: unknown;
  private calls = 0;

  constructor() {
    this.recording = tf.engine().isTapeOn();
    this.tape = activeTape();
    if (!this.recording) return;
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
