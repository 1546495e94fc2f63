/**
 * Ops whose stock tfjs forms are slow on the WASM backend, rewritten with hand-written gradients.
 * Same values and gradients as the stock ops (see test/decoder-fast-ops.test.ts); on other backends
 * the stock op is used where it is already fast.
 *
 * Why, on WASM:
 * - Matmul is fast (XNNPACK, ~20 GFLOP/s) only for plain [M,K]×[K,N] operands; with a transpose flag
 *   (which every stock matmul gradient uses) it falls to a naive loop (~1.5 GFLOP/s). XNNPACK also
 *   re-packs the right operand whenever it is a new tensor (~50 ms for 1024×2048), and the tape's
 *   saved copies of inputs are new tensors. So the gradients here transpose explicitly, and a weight
 *   used at every time step is transposed once (`StepWeight`) instead of copied and re-packed per step.
 * - tanh is scalar libm (~5× slower than sigmoid): tanh(x) = 2σ(2x) − 1.
 * - exp / log over [N, V] are slow: see `softmaxCrossEntropy`.
 */
import * as tf from '@tensorflow/tfjs';

const onWasm = (): boolean => tf.getBackend() === 'wasm' || process.env['FASTOPS_ALL'] === '1';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/** x [N, K] × w [K, M] → [N, M], for a weight used once per forward pass. */
export function matMul(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  if (!onWasm()) return tf.matMul(x, w);
  const op = tf.customGrad((...args: Args) => {
    const [xi, wi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.matMul(xi, wi), // [N, M]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ws)), tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)]; // [N, K], [K, M]
      },
    };
  });
  return op(x, w) as tf.Tensor2D;
}

/**
 * Where a StepWeight's kept transposes live until their backward uses are done. A transpose whose
 * gradient never ran (its step was not on the path to the variables asked for) is freed when the next
 * top-level gradient computation makes its first StepWeight.
 */
const pending = new Set<StepWeight>();

/** The engine's current gradient tape (internal field; identity changes per top-level gradient). */
function activeTape(): unknown {
  return (tf.engine() as unknown as { state: { activeTape?: unknown } }).state.activeTape;
}

/**
 * A weight w [K, M] multiplied at every time step. Under a gradient tape on WASM, wᵀ is made once
 * here and kept outside tidy scopes until the backward pass has used it `uses` times.
 */
export class StepWeight {
  private wT: tf.Tensor2D | null = null;
  private remaining = 0;
  private readonly tape: unknown;

  constructor(
    readonly w: tf.Tensor2D,
    uses: number,
  ) {
    this.tape = activeTape();
    if (!onWasm() || !tf.engine().isTapeOn() || uses < 1) return;
    for (const other of pending) if (other.tape !== this.tape) other.free();
    this.wT = tf.keep(tf.transpose(w)); // [M, K]
    this.remaining = uses;
    pending.add(this);
  }

  /** x [N, K] × w → [N, M]. */
  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (!this.wT) return matMul(x, this.w);
    const op = tf.customGrad((...args: Args) => {
      const [xi, , save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
      save([xi]);
      return {
        value: tf.matMul(xi, this.w), // [N, M]
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const xs = saved[0] as tf.Tensor2D;
          const dx = tf.matMul(dy as tf.Tensor2D, this.transposed()); // [N, K]
          this.usedOnce();
          return [dx, tf.matMul(tf.transpose(xs), dy as tf.Tensor2D)]; // [N, K], [K, M]
        },
      };
    });
    return op(x, this.w) as tf.Tensor2D;
  }

  private transposed(): tf.Tensor2D {
    if (!this.wT) throw new Error('StepWeight: transpose already freed (more backward uses than declared)');
    return this.wT;
  }

  /** Kernels run synchronously, so the matmul that read wᵀ is done: the last use frees it. */
  private usedOnce(): void {
    if (--this.remaining === 0) this.free();
  }

  private free(): void {
    this.wT?.dispose();
    this.wT = null;
    pending.delete(this);
  }
}

/** x [N, K] · v [K, 1] → [N, 1] (one score per row); gradient without transposed-operand matmuls. */
export function matVec(x: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
  if (!onWasm()) return tf.matMul(x, v);
  const op = tf.customGrad((...args: Args) => {
    const [xi, vi, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([xi, vi]);
    return {
      value: tf.matMul(xi, vi), // [N, 1]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, vs] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dx = tf.mul(dy, tf.reshape(vs, [1, -1])); // [N, K]  outer product as a broadcast
        const dv = tf.matMul(xs, dy as tf.Tensor2D, true, false); // [K, 1]  (M = 1: the naive loop is fine)
        return [dx, dv];
      },
    };
  });
  return op(x, v) as tf.Tensor2D;
}

/** tanh, with gradient dy·(1 − y²). */
export function tanh<T extends tf.Tensor>(x: T): T {
  if (!onWasm()) return tf.tanh(x);
  const op = tf.customGrad((...args: Args) => {
    const [xi, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const y = tf.sub(tf.mul(tf.sigmoid(tf.mul(xi, 2)), 2), 1);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sub(1, tf.square(saved[0]!))),
    };
  });
  return op(x) as T;
}

/**
 * Per-row cross-entropy −log softmax(logits)[target]: logits [N, V], targets [N] int32 → [N].
 *
 * log-sum-exp without exp/log over [N, V]: with p = softmax(x) (one fused kernel) and p_max = p at
 * argmax x = exp(x_max − lse) ≥ 1/V (never underflows), lse = x_max − log p_max, so
 * CE = x_max − log p_max − x_target — exact, no underflow. Gradient: (p − onehot(target))·dy.
 */
export function softmaxCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const V = logits.shape[1];
  const op = tf.customGrad((...args: Args) => {
    const [x, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    const p = tf.softmax(x); // [N, V]
    // (WASM's OneHot kernel returns zeros when asked for float32 directly: make int32, then cast.)
    const oneHot = tf.cast(tf.oneHot(targets, V), 'float32'); // [N, V]
    const xTarget = tf.sum(tf.mul(x, oneHot), 1); // [N]
    const lse = tf.sub(tf.max(x, 1), tf.log(tf.max(p, 1))); // [N]
    save([p, oneHot]);
    return {
      value: tf.sub(lse, xTarget), // [N]
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(tf.sub(saved[0]!, saved[1]!), tf.expandDims(dy, 1)), // [N, V]
    };
  });
  return op(logits) as tf.Tensor1D;
}
