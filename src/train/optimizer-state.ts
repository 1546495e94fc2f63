/**
 * Adam state in and out of checkpoints. tfjs names moment variables after the model variables
 * (`decoder0/embedding/m`), whose prefix differs between processes: store them under the decoder's
 * parameter names instead, and map back on load. Order is kept (tfjs Adam matches moments by position).
 */
import * as tf from '../util/tf.js';
import { FusedAdamOptimizer } from './fused-adam.js';

/** Adam (β1 0.9, β2 0.999, ε 1e-8); fused per-variable updates on the native backend when built. */
export function createAdam(learningRate: number): tf.AdamOptimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999, 1e-8);
}

/** tfjs keeps the learning rate protected; LR decay on plateau needs to change it. */
export function setLearningRate(optimizer: tf.AdamOptimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}

/** Decoder parameter name → the tf variable's (process-specific) name. */
export function variableNamesOf(weights: Map<string, tf.Tensor>): Map<string, string> {
  return new Map([...weights].map(([param, v]) => [param, (v as tf.Variable).name]));
}

/**
 * Adam's running products β1ᵗ and β2ᵗ. tfjs's `setWeights` recomputes them as pow(β, t + 1), which in
 * float32 differs from the product it kept step by step at many t (measured: t = 2 and 5 of 11), so a
 * resumed run would drift from an uncut one. They are saved and restored as they are.
 */
const BETA_POWERS = { 'adam/beta1_power': 'accBeta1', 'adam/beta2_power': 'accBeta2' } as const;
type BetaPowerName = keyof typeof BETA_POWERS;
const isBetaPower = (name: string): name is BetaPowerName => name in BETA_POWERS;
const betaPower = (optimizer: tf.AdamOptimizer, name: BetaPowerName): tf.Variable =>
  (optimizer as unknown as Record<(typeof BETA_POWERS)[BetaPowerName], tf.Variable>)[BETA_POWERS[name]];

/** Adam's whole state by decoder parameter name: iterations, β powers, both moments of every weight. */
export async function exportOptimizer(optimizer: tf.AdamOptimizer, paramToVar: Map<string, string>): Promise<Map<string, tf.Tensor>> {
  const varToParam = new Map([...paramToVar].map(([p, v]) => [v, p]));
  const out = new Map<string, tf.Tensor>();
  for (const name of Object.keys(BETA_POWERS) as BetaPowerName[]) out.set(name, betaPower(optimizer, name).clone());
  for (const { name, tensor } of await optimizer.getWeights()) {
    const slash = name.lastIndexOf('/');
    const varName = slash < 0 ? name : name.slice(0, slash);
    const param = varToParam.get(varName);
    out.set(param === undefined ? name : `${param}${name.slice(slash)}`, tensor);
  }
  return out;
}

export async function importOptimizer(
  optimizer: tf.AdamOptimizer,
  saved: Map<string, tf.Tensor>,
  paramToVar: Map<string, string>,
): Promise<void> {
  const weights: { name: string; tensor: tf.Tensor }[] = [];
  const powers: [BetaPowerName, tf.Tensor][] = [];
  for (const [name, tensor] of saved) {
    if (isBetaPower(name)) {
      powers.push([name, tensor]);
      continue;
    }
    const slash = name.lastIndexOf('/');
    const v = slash < 0 ? undefined : paramToVar.get(name.slice(0, slash));
    weights.push({ name: v === undefined ? name : `${v}${name.slice(slash)}`, tensor });
  }
  await optimizer.setWeights(weights);
  // After setWeights, which has just set them to pow(β, t + 1): the exact products (older checkpoints lack them).
  for (const [name, tensor] of powers) betaPower(optimizer, name).assign(tensor as tf.Scalar);
}
