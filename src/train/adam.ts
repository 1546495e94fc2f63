/**
 * Adam (Kingma & Ba 2015), the project's own: for every weight w with gradient g, at step t,
 *   m ← β1 m + (1 − β1) g,    v ← β2 v + (1 − β2) g²,
 *   w ← w − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
 * in float32 with β1ᵗ, β2ᵗ kept as running products, as tfjs's AdamOptimizer does, except that 1 − β
 * is taken in float32 here, as the fused native and SIMD updates take it (tfjs rounds the float64
 * difference: updates agree to ≈ 1e-7, not bit for bit). Its state {m, v per weight, t, β1ᵗ, β2ᵗ} is
 * what a checkpoint saves and restores, as it is, under the names tfjs's Adam state had.
 *
 * The update of one weight is `adamUpdate`, written below in plain tfjs ops: the reference that each
 * backend's fused update (src/fast-paths/, behind the dispatch point) is tested against.
 */
import * as tf from '../util/tf.js';
import { dispatched } from '../fast-paths/dispatch.js';
import { UserError } from '../util/user-error.js';

/** [lr, β1, β2, ε, 1 − β1ᵗ, 1 − β2ᵗ] → (w, g, m, v) ↦ (w', m', v'), each the weight's shape. */
const adamUpdate = dispatched('adamUpdate', (value, gradient, m, v, hyper) => {
  const [lr, b1, b2, eps, c1, c2] = tf.unstack(hyper) as tf.Scalar[];
  const nextM = tf.add(tf.mul(m, b1!), tf.mul(gradient, tf.sub(1, b1!)));
  const nextV = tf.add(tf.mul(v, b2!), tf.mul(tf.square(gradient), tf.sub(1, b2!)));
  const step = tf.div(tf.div(nextM, c1!), tf.add(tf.sqrt(tf.div(nextV, c2!)), eps!));
  return [tf.sub(value, tf.mul(step, lr!)), nextM, nextV];
});

/** The names a checkpoint stores Adam's state under (those of tfjs's Adam, by the decoder's parameter names). */
const ITERATIONS = 'iter';
const BETA1_POWER = 'adam/beta1_power';
const BETA2_POWER = 'adam/beta2_power';
const moment = (param: string, which: 'm' | 'v'): string => `${param}/${which}`;

export class Adam {
  private readonly moments = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private readonly beta1Power: tf.Variable; // [] β1ᵗ
  private readonly beta2Power: tf.Variable; // [] β2ᵗ
  private readonly paramOf: Map<string, string>;
  /** Steps taken (t). */
  iterations = 0;

  /** `weights`: the trained variables by parameter name (the names the state is saved under). */
  constructor(
    public learningRate: number,
    private readonly weights: ReadonlyMap<string, tf.Variable>,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly epsilon = 1e-8,
  ) {
    this.paramOf = new Map([...weights].map(([param, variable]) => [variable.name, param]));
    this.beta1Power = tf.tidy(() => tf.variable(tf.scalar(beta1), false));
    this.beta2Power = tf.tidy(() => tf.variable(tf.scalar(beta2), false));
  }

  private momentsOf(param: string): { m: tf.Variable; v: tf.Variable } {
    let state = this.moments.get(param);
    if (!state) {
      const w = this.weights.get(param)!;
      state = tf.tidy(() => ({ m: tf.variable(tf.zerosLike(w), false), v: tf.variable(tf.zerosLike(w), false) }));
      this.moments.set(param, state);
    }
    return state;
  }

  /** One step from gradients keyed by variable name (as tf.variableGrads gives them). */
  applyGradients(grads: tf.NamedTensorMap): void {
    tf.tidy(() => {
      const hyper = tf.concat([
        tf.tensor1d([this.learningRate, this.beta1, this.beta2, this.epsilon]),
        tf.sub(1, tf.stack([this.beta1Power, this.beta2Power])),
      ]) as tf.Tensor1D; // [6]
      for (const [name, gradient] of Object.entries(grads)) {
        const param = this.paramOf.get(name);
        if (param === undefined) throw new Error(`Adam: a gradient for ${name}, which is not one of its weights`);
        const { m, v } = this.momentsOf(param);
        const value = this.weights.get(param)!;
        const [next, nextM, nextV] = adamUpdate(value, gradient, m, v, hyper);
        m.assign(nextM);
        v.assign(nextV);
        value.assign(next);
      }
      this.beta1Power.assign(tf.mul(this.beta1Power, this.beta1));
      this.beta2Power.assign(tf.mul(this.beta2Power, this.beta2));
    });
    this.iterations++;
  }

  /** The whole state, copied: t, β1ᵗ, β2ᵗ, and m and v of every weight that has had a gradient. */
  state(): Map<string, tf.Tensor> {
    const out = new Map<string, tf.Tensor>([
      [ITERATIONS, tf.scalar(this.iterations, 'int32')],
      [BETA1_POWER, this.beta1Power.clone()],
      [BETA2_POWER, this.beta2Power.clone()],
    ]);
    for (const [param, { m, v }] of this.moments) {
      out.set(moment(param, 'm'), m.clone());
      out.set(moment(param, 'v'), v.clone());
    }
    return out;
  }

  /**
   * Takes a saved state back (values copied; the caller keeps `saved`). A state saved before the β
   * powers were stored gets them as tfjs's Adam then recomputed them: pow(β, t + 1) in float32. After
   * any step every weight has its moments: a state without them is refused.
   */
  restore(saved: ReadonlyMap<string, tf.Tensor>): void {
    const iterations = saved.get(ITERATIONS);
    this.iterations = iterations ? Math.round(iterations.dataSync()[0]!) : 0;
    const missing = [...this.weights.keys()].filter((p) => !saved.has(moment(p, 'm')) || !saved.has(moment(p, 'v')));
    if (this.iterations > 0 && missing.length) {
      throw new UserError(
        `the optimizer state of step ${this.iterations} has no moments for ${missing.join(', ')}: it is not this model's`,
      );
    }
    tf.tidy(() => {
      const power = (name: string, beta: number): tf.Tensor => saved.get(name) ?? tf.pow(tf.scalar(beta), this.iterations + 1);
      this.beta1Power.assign(power(BETA1_POWER, this.beta1) as tf.Scalar);
      this.beta2Power.assign(power(BETA2_POWER, this.beta2) as tf.Scalar);
    });
    for (const param of this.weights.keys()) {
      const m = saved.get(moment(param, 'm'));
      const v = saved.get(moment(param, 'v'));
      if (!m || !v) continue;
      const state = this.momentsOf(param);
      state.m.assign(m);
      state.v.assign(v);
    }
  }

  dispose(): void {
    tf.dispose([this.beta1Power, this.beta2Power, ...[...this.moments.values()].flatMap(({ m, v }) => [m, v])]);
    this.moments.clear();
  }
}

/** The training's Adam (β1 0.9, β2 0.999, ε 1e-8) over a decoder's weights (`decoder.getWeights()`, live variables). */
export function createAdam(learningRate: number, weights: ReadonlyMap<string, tf.Tensor>): Adam {
  for (const [name, w] of weights) if (!(w instanceof tf.Variable)) throw new TypeError(`createAdam: weight ${name} is not a variable`);
  return new Adam(learningRate, weights as ReadonlyMap<string, tf.Variable>);
}
