/**
 * The decoder's fused native kernels (native/attend-caption-ops.cc) as differentiable tfjs ops: each
 * replaces a chain of TensorFlow ops (one memory pass and one dispatch each) by one kernel forward and
 * one backward. Native backend with the addon only: native.ts offers them only when
 * `fusedKernels(group)` says they are loaded and enabled.
 */
import * as tf from '../util/tf.js';
import type { AdamUpdate, CellState, TopK } from './types.js';
import { runNativeOp } from './native-kernels.js';
import { recording, StepShared, stepShared } from './step-shared.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

const SCORES = 'AttendCaptionAdditiveScores';
const SCORES_GRAD = 'AttendCaptionAdditiveScoresGrad';

/**
 * The per-unroll state of additive scores over one image batch's keys: the keys' gradient, a
 * [G, L, A] tensor per step, is summed over the steps inside the backward kernel (see step-shared.ts)
 * rather than by tfjs.
 */
class FusedAdditiveScores extends StepShared {
  /** Σ dkeys over the steps backpropagated so far. */
  private sum: tf.Tensor3D | null = null;

  constructor(readonly keys: tf.Tensor3D) {
    super();
  }

  /** One step: query [N, A], w [A] → [N, L]. */
  scores(query: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D {
    const rowsPerImage = query.shape[0] / this.keys.shape[0];
    const first = this.nextStepIsFirst();
    const op = tf.customGrad((...args: Args) => {
      const [q, wi] = args as [tf.Tensor2D, tf.Tensor1D];
      const save = args[args.length - 1] as tf.GradSaveFunc;
      const [scores, act] = runNativeOp(SCORES, { keys: this.keys, query: q, w: wi }, 2); // [N, L], [N, L, A]
      save([act!, wi]);
      return {
        value: scores!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [a, ws] = saved as [tf.Tensor3D, tf.Tensor1D];
          const dkeysIn: tf.Tensor = this.sum ?? tf.zeros([0]); // [G, L, A], or empty: nothing summed yet
          const [dkeys, dquery, dw] = runNativeOp(SCORES_GRAD, { act: a, dscores: dy, w: ws, dkeys_in: dkeysIn }, 3, {
            rows_per_image: rowsPerImage,
          }); // Σ dkeys [G, L, A], dquery [N, A], dw [A]
          this.sum?.dispose();
          this.sum = null;
          if (first) {
            this.free();
            return [dquery!, dw!, dkeys!];
          }
          this.sum = tf.keep(dkeys as tf.Tensor3D);
          return [dquery!, dw!];
        },
      };
    });
    return (first ? op(query, w, this.keys) : op(query, w)) as tf.Tensor2D;
  }

  protected release(): void {
    this.sum?.dispose();
    this.sum = null;
  }
}

/**
 * Additive scores e_i = w · tanh(k_i + q), one kernel per step forward and backward: keys [G, L, A]
 * (W_a a_i + b), query [N, A] (U_a h; row n attends image n / (N / G)), w [A] → [N, L].
 * Differentiable in all three.
 */
export function fusedAdditiveScores(keys: tf.Tensor3D, query: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D {
  if (recording()) return stepShared(keys, () => new FusedAdditiveScores(keys)).scores(query, w);
  const [scores, act] = runNativeOp(SCORES, { keys, query, w }, 2); // [N, L], [N, L, A]
  act!.dispose();
  return scores as tf.Tensor2D;
}

const CONTEXT = 'AttendCaptionContext';

/**
 * Σ_i α_i a_i: alpha [N, L] (row n attends image n / (N / G)), features [G, L, D] → [N, D]. The
 * features' gradient (never needed in training: the encoder is fixed) is computed only if asked for.
 */
export function fusedContext(alpha: tf.Tensor2D, features: tf.Tensor3D): tf.Tensor2D {
  if (!tf.getGradient(CONTEXT)) {
    tf.registerGradient({
      kernelName: CONTEXT,
      inputsToSave: ['alpha', 'features'],
      gradFunc: (dy, saved) => {
        const [a, f] = saved as [tf.Tensor2D, tf.Tensor3D];
        const d = dy as tf.Tensor2D;
        const [G, L, D] = f.shape;
        const k = a.shape[0] / G;
        return {
          alpha: () => runNativeOp('AttendCaptionContextGrad', { dweighted: d, features: f }, 1)[0]!, // [N, L]
          features: () => tf.matMul(tf.reshape(a, [G, k, L]) as tf.Tensor3D, tf.reshape(d, [G, k, D]) as tf.Tensor3D, true), // [G, L, D]
        };
      },
    });
  }
  return runNativeOp(CONTEXT, { alpha, features }, 1)[0] as tf.Tensor2D;
}

const LSTM_CELL = 'AttendCaptionLstmCell';

/**
 * The LSTM cell (lstm.ts) in one kernel: gate pre-activations [B, 4H] (i, f, o, g) and c_{t−1} [B, H]
 * → h_t, c_t [B, H]; the backward pass is one kernel too.
 */
export function fusedLstmCell(preactivations: tf.Tensor2D, cPrev: tf.Tensor2D): CellState {
  if (!tf.getGradient(LSTM_CELL)) {
    tf.registerGradient({
      kernelName: LSTM_CELL,
      inputsToSave: ['c_prev'],
      outputsToSave: [false, true, true],
      gradFunc: (dy, saved) => {
        const [cPrevSaved, c, gates] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [dh, dc] = dy as tf.Tensor2D[]; // (the gates output has no consumers)
        const [dpre, dcPrev] = runNativeOp('AttendCaptionLstmCellGrad', { gates, c_prev: cPrevSaved, c, dh: dh!, dc: dc! }, 2); // [B, 4H], [B, H]
        return { pre: () => dpre!, c_prev: () => dcPrev! };
      },
    });
  }
  const [h, c] = runNativeOp(LSTM_CELL, { pre: preactivations, c_prev: cPrev }, 3) as tf.Tensor2D[]; // [B, H] each (+ gates [B, 4H])
  return { h: h!, c: c! };
}

/** The k best of x + bias per row (search's top words), rows in parallel: x [N, V], bias [V] → values, indices [N, k]. */
export const fusedTopK: TopK = (x, bias, k) => {
  const [values, indices] = runNativeOp('AttendCaptionTopK', { x, bias }, 2, { k }) as [tf.Tensor2D, tf.Tensor2D];
  return { values, indices };
};

/** One Adam update of a variable in one pass over value, gradient and both moments. */
export const fusedAdamUpdate: AdamUpdate = (value, gradient, m, v, hyper) => {
  const [next, nextM, nextV] = runNativeOp('AttendCaptionAdam', { var: value, grad: gradient, m, v, hyper }, 3);
  return [next!, nextM!, nextV!];
};
