/**
 * The decoder's fused native kernels (native/attend-caption-ops.cc) as differentiable tfjs ops: each
 * replaces a chain of TensorFlow ops (one memory pass and one dispatch each) by one kernel forward and
 * one backward. Native backend with the addon only: check `fusedKernels()`
 * (src/backend/fused-kernels.ts) first; attention.ts and lstm.ts fall back to stock ops without it.
 */
import * as tf from '@tensorflow/tfjs';
import type { LstmState } from './initial-state.js';
import { runNativeOp } from './native-ops.js';

type Args = (tf.Tensor | tf.GradSaveFunc)[];

/**
 * Additive scores e_i = w · tanh(k_i + q) in one pass over [N, L, A]: keys [G, L, A] (W_a a_i + b),
 * query [N, A] (U_a h; row n attends image n / (N / G)), w [A] → [N, L], differentiable in all three.
 */
export function fusedAdditiveScores(keys: tf.Tensor3D, query: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor2D {
  const rowsPerImage = query.shape[0] / keys.shape[0];
  const op = tf.customGrad((...args: Args) => {
    const [k, q, wi, save] = args as [tf.Tensor3D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
    const [scores, act] = runNativeOp('AttendCaptionAdditiveScores', 'AttendCaptionAdditiveScores', { keys: k, query: q, w: wi }, 2); // [N, L], [N, L, A]
    save([act!, wi]);
    return {
      value: scores!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [a, ws] = saved as [tf.Tensor3D, tf.Tensor1D];
        return runNativeOp('AttendCaptionAdditiveScoresGrad', 'AttendCaptionAdditiveScoresGrad', { act: a, dscores: dy, w: ws }, 3, {
          rows_per_image: rowsPerImage,
        }); // dkeys [G, L, A], dquery [N, A], dw [A]
      },
    };
  });
  return op(keys, query, w) as tf.Tensor2D;
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
          alpha: () => runNativeOp('AttendCaptionContextGrad', 'AttendCaptionContextGrad', { dweighted: d, features: f }, 1)[0]!, // [N, L]
          features: () => tf.matMul(tf.reshape(a, [G, k, L]) as tf.Tensor3D, tf.reshape(d, [G, k, D]) as tf.Tensor3D, true), // [G, L, D]
        };
      },
    });
  }
  return runNativeOp(CONTEXT, CONTEXT, { alpha, features }, 1)[0] as tf.Tensor2D;
}

const LSTM_CELL = 'AttendCaptionLstmCell';

/**
 * The LSTM cell (lstm.ts) in one kernel: gate pre-activations [B, 4H] (i, f, o, g) and c_{t−1} [B, H]
 * → h_t, c_t [B, H]; the backward pass is one kernel too.
 */
export function fusedLstmCell(preactivations: tf.Tensor2D, cPrev: tf.Tensor2D): LstmState {
  if (!tf.getGradient(LSTM_CELL)) {
    tf.registerGradient({
      kernelName: LSTM_CELL,
      inputsToSave: ['c_prev'],
      outputsToSave: [false, true, true],
      gradFunc: (dy, saved) => {
        const [cPrevSaved, c, gates] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const [dh, dc] = dy as tf.Tensor2D[]; // (the gates output has no consumers)
        const [dpre, dcPrev] = runNativeOp('AttendCaptionLstmCellGrad', 'AttendCaptionLstmCellGrad', { gates, c_prev: cPrevSaved, c, dh: dh!, dc: dc! }, 2); // [B, 4H], [B, H]
        return { pre: () => dpre!, c_prev: () => dcPrev! };
      },
    });
  }
  const [h, c] = runNativeOp(LSTM_CELL, LSTM_CELL, { pre: preactivations, c_prev: cPrev }, 3) as tf.Tensor2D[]; // [B, H] each (+ gates [B, 4H])
  return { h: h!, c: c! };
}
