/**
 * The decoder's trainable weights: one table of (name, shape, initialiser), created as tf.Variables.
 *
 * Names are the checkpoint keys (`lstm/kernel`, `attention/W_a`, …) and follow the paper's symbols.
 * Each weight's initial values come from its own seeded stream (seed ⊕ name), so adding a weight never
 * changes the others. Biases start at 0, except the LSTM forget gate's (1, the usual remedy for
 * vanishing memory early in training).
 */
import * as tf from '../util/tf.js';
import { deriveSeed, mulberry32, type Rng } from '../util/random.js';
import { UserError } from '../util/user-error.js';
import type { DecoderConfig } from './config.js';
import { glorotUniform, orthogonal, uniform } from './initializers.js';

// The fused LSTM kernel's 4H columns hold the gates in the order input, forget, output, candidate (lstm.ts).

export type ParamName =
  | 'embedding'
  | 'init_h/kernel'
  | 'init_h/bias'
  | 'init_c/kernel'
  | 'init_c/bias'
  | 'attention/W_a'
  | 'attention/U_a'
  | 'attention/b'
  | 'attention/w'
  | 'attention/W_q'
  | 'attention/W_k'
  | 'gate/W_beta'
  | 'gate/b_beta'
  | 'lstm/kernel'
  | 'lstm/bias'
  | 'output/L_h'
  | 'output/L_z'
  | 'output/L_o'
  | 'output/b_o';

export interface ParamSpec {
  name: ParamName;
  shape: number[];
  init: (rng: Rng) => Float32Array;
}

const zeros = (n: number) => (): Float32Array => new Float32Array(n);

/** LSTM kernel [E + D + H, 4H], rows = [E y_{t−1}; z_t; h_{t−1}]: Glorot for the inputs, orthogonal per gate for h. */
function lstmKernelInit(cfg: DecoderConfig) {
  const { embedDim: E, featureDim: D, hiddenDim: H } = cfg;
  return (rng: Rng): Float32Array => {
    const cols = 4 * H;
    const out = new Float32Array((E + D + H) * cols);
    out.set(glorotUniform(rng, E + D, cols), 0);
    for (let g = 0; g < 4; g++) {
      const q = orthogonal(rng, H); // [H, H]
      for (let r = 0; r < H; r++) out.set(q.subarray(r * H, (r + 1) * H), (E + D + r) * cols + g * H);
    }
    return out;
  };
}

function lstmBiasInit(H: number) {
  return (): Float32Array => new Float32Array(4 * H).fill(1, H, 2 * H); // forget gate = 1
}

/** The weight table for a config (attention weights depend on the scoring kind). */
export function parameterSpecs(cfg: DecoderConfig): ParamSpec[] {
  const { vocabSize: V, featureDim: D, embedDim: E, hiddenDim: H, attentionDim: A } = cfg;
  const glorot = (fanIn: number, fanOut: number) => (rng: Rng) => glorotUniform(rng, fanIn, fanOut);
  const attention: Record<DecoderConfig['scoring'], ParamSpec[]> = {
    additive: [
      { name: 'attention/W_a', shape: [D, A], init: glorot(D, A) },
      { name: 'attention/U_a', shape: [H, A], init: glorot(H, A) },
      { name: 'attention/b', shape: [A], init: zeros(A) },
      { name: 'attention/w', shape: [A], init: glorot(A, 1) },
    ],
    dot: [{ name: 'attention/W_q', shape: [H, D], init: glorot(H, D) }],
    general: [{ name: 'attention/W_k', shape: [D, H], init: glorot(D, H) }],
  };
  return [
    { name: 'embedding', shape: [V, E], init: (rng) => uniform(rng, V * E, 0.1) },
    { name: 'init_h/kernel', shape: [D, H], init: glorot(D, H) },
    { name: 'init_h/bias', shape: [H], init: zeros(H) },
    { name: 'init_c/kernel', shape: [D, H], init: glorot(D, H) },
    { name: 'init_c/bias', shape: [H], init: zeros(H) },
    ...attention[cfg.scoring],
    { name: 'gate/W_beta', shape: [H, 1], init: glorot(H, 1) },
    { name: 'gate/b_beta', shape: [1], init: zeros(1) },
    { name: 'lstm/kernel', shape: [E + D + H, 4 * H], init: lstmKernelInit(cfg) },
    { name: 'lstm/bias', shape: [4 * H], init: lstmBiasInit(H) },
    { name: 'output/L_h', shape: [H, E], init: glorot(H, E) },
    { name: 'output/L_z', shape: [D, E], init: glorot(D, E) },
    { name: 'output/L_o', shape: [E, V], init: glorot(E, V) },
    { name: 'output/b_o', shape: [V], init: zeros(V) },
  ];
}

/** Stable 32-bit hash of a weight name (FNV-1a), mixed into the seed. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

let instances = 0;

/** Weights (e.g. a checkpoint's) that do not fit the decoder's config. */
export class WeightsError extends UserError {
  override name = 'WeightsError';
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The named tf.Variables of one decoder. */
export class DecoderParameters {
  private constructor(
    private readonly vars: Map<ParamName, tf.Variable>,
    private readonly specs: ParamSpec[],
  ) {}

  /**
   * Creates the variables: from `initial` (e.g. a loaded checkpoint, copied; must match the table
   * exactly) or else from the seeded initialisers.
   */
  static create(cfg: DecoderConfig, initial?: Map<string, tf.Tensor>): DecoderParameters {
    const specs = parameterSpecs(cfg);
    if (initial) checkNames(specs, initial);
    const seed = cfg.seed ?? Math.floor(Math.random() * 2 ** 32);
    // tf variable names are global per engine: prefix each decoder's own so several can coexist.
    const prefix = `decoder${instances++}`;
    const vars = new Map<ParamName, tf.Variable>();
    for (const spec of specs) {
      const given = initial?.get(spec.name);
      if (given) checkShape(spec, given);
      const value = given
        ? tf.tidy(() => tf.cast(given, 'float32'))
        : tf.tensor(spec.init(mulberry32(deriveSeed(seed, nameHash(spec.name)))), spec.shape, 'float32');
      vars.set(spec.name, tf.variable(value, true, `${prefix}/${spec.name}`));
      value.dispose();
    }
    return new DecoderParameters(vars, specs);
  }

  get(name: ParamName): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new WeightsError(`decoder has no weight "${name}" (check the attention scoring kind)`);
    return v;
  }

  /** Name → live variable (not a copy: read it, do not dispose it). Keys are the checkpoint names. */
  getWeights(): Map<string, tf.Tensor> {
    return new Map(this.vars);
  }

  /** Assigns every weight from `weights` (names and shapes must match this decoder exactly). */
  setWeights(weights: Map<string, tf.Tensor>): void {
    checkNames(this.specs, weights);
    for (const spec of this.specs) checkShape(spec, weights.get(spec.name)!);
    for (const spec of this.specs) {
      const v = this.get(spec.name);
      tf.tidy(() => v.assign(tf.cast(weights.get(spec.name)!, 'float32')));
    }
  }

  trainableVariables(): tf.Variable[] {
    return [...this.vars.values()];
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

function checkNames(specs: ParamSpec[], weights: Map<string, tf.Tensor>): void {
  const expected = new Set<string>(specs.map((s) => s.name));
  const missing = [...expected].filter((n) => !weights.has(n));
  const unexpected = [...weights.keys()].filter((n) => !expected.has(n));
  if (missing.length || unexpected.length) {
    const parts = [missing.length && `missing ${missing.join(', ')}`, unexpected.length && `unexpected ${unexpected.join(', ')}`];
    throw new WeightsError(`decoder weights do not match the config: ${parts.filter(Boolean).join('; ')}`);
  }
}

function checkShape(spec: ParamSpec, t: tf.Tensor): void {
  if (!sameShape(spec.shape, t.shape)) {
    throw new WeightsError(`decoder weight "${spec.name}" has shape [${t.shape.join(', ')}], expected [${spec.shape.join(', ')}]`);
  }
}
