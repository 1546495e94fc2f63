/**
 * tfjs's Adam, with each variable's update as one fast path when the backend has one (the native
 * fused kernel: one pass over weight, gradient and both moments instead of thirteen elementwise ops;
 * src/backend/dispatch.ts). Same math, same state (moment variables, names and order, iterations),
 * so checkpoints and `--resume` do not care which ran. Elsewhere it is tfjs's Adam unchanged.
 */
import * as tf from '../util/tf.js';
import { fastPath } from '../backend/dispatch.js';

/** What applyGradients takes (tfjs does not export these types by name). */
type VariableGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];
type NamedTensors = Extract<VariableGradients, unknown[]>;

interface MomentVariable {
  originalName: string;
  variable: tf.Variable;
}

/** The AdamOptimizer fields tfjs keeps private. */
interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: (MomentVariable | undefined)[];
  accumulatedSecondMoment: (MomentVariable | undefined)[];
}

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: VariableGradients): void {
    const update = fastPath('adamUpdate');
    if (!update) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamInternals;
    const list = Array.isArray(variableGradients) ? (variableGradients as NamedTensors) : null;
    const names = list ? list.map((v) => v.name) : Object.keys(variableGradients);
    tf.tidy(() => {
      // [lr, β1, β2, ε, 1 − β1^t, 1 − β2^t], computed on the device (no read-back).
      const hyper = tf.concat([
        tf.tensor1d([this.learningRate, this.beta1, this.beta2, this.epsilon]),
        tf.sub(1, tf.stack([state.accBeta1, state.accBeta2])),
      ]) as tf.Tensor1D; // [6]
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const moment = (suffix: 'm' | 'v') => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        state.accumulatedFirstMoment[i] ??= moment('m');
        state.accumulatedSecondMoment[i] ??= moment('v');
        const gradient = list ? list[i]!.tensor : (variableGradients as tf.NamedTensorMap)[name];
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const [next, nextM, nextV] = update(value, gradient, m, v, hyper);
        m.assign(nextM);
        v.assign(nextV);
        value.assign(next);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}
