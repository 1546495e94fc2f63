/**
 * A Keras convolutional network (the encoder's MobileNet, the detector's trunk, a joined encoder, a
 * ResNet) run as one fused op per convolution: each Conv2D / DepthwiseConv2D with the
 * BatchNormalization after it folded into its kernel and bias, and the ReLU / ReLU6 after that applied
 * by the same op (`tf.fused.conv2d`, `tf.fused.depthwiseConv2d`). Keras runs four kernels per such
 * layer (convolution, batch norm, ReLU, min with 6); WASM's XNNPACK runs the fused op as one pass.
 *
 * Folding: BN(y) = γ (y − μ) / √(σ² + ε) + β with y = W ∗ x + b is (W·s) ∗ x + (b − μ)·s + β,
 * s = γ / √(σ² + ε) per output channel (a depthwise kernel's output channel is input c × multiplier m).
 *
 * Every other layer (pooling, concatenation, additions, a batch norm that follows no convolution, a
 * convolution on channels-first data, with an activation of its own or a dilated depthwise one, which
 * tfjs-layers runs undilated) runs as Keras runs it (`layer.apply` on tensors). Each layer's output is
 * freed after its last reader, as `predict` frees it. A network this cannot place (a layer used twice,
 * several inputs or outputs) has no plan and runs `predict`. The plan is made on the first call and
 * kept per model until `releaseFoldedNetwork`; its folded kernels are its own tensors, the unfolded
 * ones are the model's (weights set after the first call are not seen: nothing trains these networks).
 */
import * as tf from '../util/tf.js';

type FusedActivation = 'linear' | 'relu' | 'relu6';
const FUSED_ACTIVATIONS: readonly string[] = ['linear', 'relu', 'relu6'];

type Step =
  | {
      kind: 'conv';
      depthwise: boolean;
      filter: tf.Tensor4D; // [kh, kw, C_in, C_out] or depthwise [kh, kw, C_in, multiplier]
      bias?: tf.Tensor1D; // [C_out]
      strides: [number, number];
      dilations: [number, number];
      pad: 'same' | 'valid';
      activation: FusedActivation;
      inputs: [string];
      output: string;
    }
  | { kind: 'layer'; layer: tf.layers.Layer; inputs: string[]; output: string };

interface Plan {
  steps: Step[];
  input: string;
  output: string;
  /** Per step, the values it is the last reader of (freed after it; never the input or the output). */
  frees: string[][];
  /** The tensors the plan made (folded kernels and biases); the rest belong to the model. */
  owned: tf.Tensor[];
}

/** A Keras layer's config, as tfjs-layers serialises it (camelCase keys). */
type Config = Record<string, unknown>;

const inboundNames = (layer: tf.layers.Layer): string[] => (layer.inboundNodes[0]?.inboundLayers ?? []).map((l) => l.name);

/** A Keras size or pair (strides, dilation rate) as a pair; absent is 1. */
const pair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [Number(v[0]), Number(v[1] ?? v[0])] : typeof v === 'number' ? [v, v] : [1, 1];

/** Whether `layer` is a convolution this module folds: channels-last, no activation of its own. */
function foldableConv(layer: tf.layers.Layer): boolean {
  const name = layer.getClassName();
  if (name !== 'Conv2D' && name !== 'DepthwiseConv2D') return false;
  const c = layer.getConfig() as Config;
  const dilated = pair(c.dilationRate).some((d) => d !== 1);
  return (
    c.activation === 'linear' &&
    (c.dataFormat ?? 'channelsLast') === 'channelsLast' &&
    (c.padding === 'same' || c.padding === 'valid') &&
    !(name === 'DepthwiseConv2D' && dilated) // tfjs-layers runs depthwise convolutions undilated
  );
}

/** s = γ / √(σ² + ε) and t = β − μ·s of an inference-mode batch norm over the last axis, or undefined. */
function batchNormAffine(layer: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } | undefined {
  const c = layer.getConfig() as Config;
  const axis = Array.isArray(c.axis) ? c.axis : [c.axis];
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 3)) return undefined;
  const weights = [...layer.getWeights()] as tf.Tensor1D[]; // [γ?, β?, μ, σ²] as `scale` and `center` say
  const gamma = c.scale === false ? undefined : weights.shift();
  const beta = c.center === false ? undefined : weights.shift();
  const [mean, variance] = weights;
  if (!mean || !variance) return undefined;
  const epsilon = Number(c.epsilon ?? 1e-3);
  return tf.tidy(() => {
    const inv = tf.rsqrt(tf.add(variance, epsilon)); // [C]
    const scale = (gamma ? tf.mul(gamma, inv) : inv) as tf.Tensor1D; // [C]
    const shifted = tf.neg(tf.mul(mean, scale)); // [C]
    const shift = (beta ? tf.add(shifted, beta) : shifted) as tf.Tensor1D; // [C]
    return { scale, shift };
  });
}

/** The plan of `model`, or undefined when it has a layer this cannot place. */
function planOf(model: tf.LayersModel): Plan | undefined {
  if (model.inputLayers.length !== 1 || model.outputLayers.length !== 1) return undefined;
  if (model.layers.some((l) => l.inboundNodes.length > 1)) return undefined; // a layer used twice
  const output = model.outputLayers[0]!.name;
  const consumers = new Map<string, tf.layers.Layer[]>();
  for (const l of model.layers) for (const i of inboundNames(l)) consumers.set(i, [...(consumers.get(i) ?? []), l]);
  /** The one layer that reads `name`, when only one does and `name` is not the network's output. */
  const onlyReader = (name: string): tf.layers.Layer | undefined => {
    const readers = consumers.get(name) ?? [];
    return name !== output && readers.length === 1 ? readers[0] : undefined;
  };
  const steps: Step[] = [];
  const owned: tf.Tensor[] = [];
  try {
    addSteps(model, onlyReader, steps, owned);
  } catch (err) {
    tf.dispose(owned);
    throw err;
  }
  const input = model.inputLayers[0]!.name;
  const lastReader = new Map<string, number>();
  steps.forEach((step, i) => step.inputs.forEach((name) => lastReader.set(name, i)));
  const made = new Set([input, ...steps.map((step) => step.output)]);
  if (!made.has(output)) {
    tf.dispose(owned);
    return undefined;
  }
  const frees = steps.map((_, i) =>
    [...lastReader].filter(([name, at]) => at === i && name !== input && name !== output).map(([name]) => name),
  );
  return { steps, input, output, frees, owned };
}

/** The steps of `model.layers` (in Keras's order: every layer after those it reads), into `steps`. */
function addSteps(
  model: tf.LayersModel,
  onlyReader: (name: string) => tf.layers.Layer | undefined,
  steps: Step[],
  owned: tf.Tensor[],
): void {
  const absorbed = new Set<string>();
  for (const layer of model.layers) {
    if (absorbed.has(layer.name) || layer.getClassName() === 'InputLayer') continue;
    if (!foldableConv(layer)) {
      steps.push({ kind: 'layer', layer, inputs: inboundNames(layer), output: layer.name });
      continue;
    }
    const c = layer.getConfig() as Config;
    const depthwise = layer.getClassName() === 'DepthwiseConv2D';
    const [kernel, ownBias] = layer.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
    let filter = kernel;
    let bias = c.useBias === false ? undefined : ownBias;
    let end = layer.name;
    const norm = onlyReader(end);
    const affine = norm?.getClassName() === 'BatchNormalization' ? batchNormAffine(norm) : undefined;
    if (norm && affine) {
      const [, , inputs, outputs] = kernel.shape;
      filter = tf.tidy(() =>
        depthwise
          ? tf.mul(kernel, tf.reshape(affine.scale, [inputs, outputs])) // [kh, kw, C_in, m]: channel c·m + j scaled
          : tf.mul(kernel, affine.scale),
      ) as tf.Tensor4D; // [kh, kw, C_in, C_out]
      bias = tf.tidy(() => (bias ? tf.add(tf.mul(bias, affine.scale), affine.shift) : tf.clone(affine.shift)) as tf.Tensor1D); // [C_out]
      owned.push(filter, bias);
      tf.dispose([affine.scale, affine.shift]);
      absorbed.add(norm.name);
      end = norm.name;
    }
    let activation: FusedActivation = 'linear';
    const act = onlyReader(end);
    const actName = act?.getClassName() === 'Activation' ? String((act.getConfig() as Config).activation) : undefined;
    if (act && actName !== undefined && FUSED_ACTIVATIONS.includes(actName)) {
      activation = actName as FusedActivation;
      absorbed.add(act.name);
      end = act.name;
    }
    steps.push({
      kind: 'conv',
      depthwise,
      filter,
      ...(bias ? { bias } : {}),
      strides: pair(c.strides),
      dilations: pair(c.dilationRate),
      pad: c.padding as 'same' | 'valid',
      activation,
      inputs: [inboundNames(layer)[0]!],
      output: end,
    });
  }
}

const plans = new WeakMap<tf.LayersModel, Plan | null>();

function planFor(model: tf.LayersModel): Plan | undefined {
  let plan = plans.get(model);
  if (plan === undefined) {
    try {
      plan = planOf(model) ?? null;
    } catch {
      plan = null; // a layer this misreads: Keras runs the network
    }
    plan?.owned.forEach((t) => tf.keep(t)); // made inside the caller's tidy, kept until released
    plans.set(model, plan);
  }
  return plan ?? undefined;
}

/** The model's output for `input` [B, S, S, 3], its convolutions folded and fused (see above). */
export function foldedNetwork(model: tf.LayersModel, input: tf.Tensor4D): tf.Tensor4D {
  const plan = planFor(model);
  if (!plan) return model.predict(input) as tf.Tensor4D;
  return tf.tidy(() => {
    const values = new Map<string, tf.Tensor>([[plan.input, input]]);
    for (const [i, step] of plan.steps.entries()) {
      if (step.kind === 'conv') {
        const x = values.get(step.inputs[0]) as tf.Tensor4D; // [B, H, W, C_in]
        const { filter, bias, strides, dilations, pad, activation } = step;
        const args = { x, filter, strides, pad, dilations, activation, ...(bias ? { bias } : {}) };
        values.set(step.output, step.depthwise ? tf.fused.depthwiseConv2d(args) : tf.fused.conv2d(args)); // [B, H', W', C_out]
      } else {
        const inputs = step.inputs.map((name) => values.get(name)!);
        values.set(step.output, step.layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor); // [B, H', W', C']
      }
      for (const name of plan.frees[i]!) {
        const t = values.get(name)!;
        values.delete(name);
        if (![...values.values()].includes(t)) t.dispose(); // a layer may pass its input through as its output
      }
    }
    return values.get(plan.output) as tf.Tensor4D; // [B, H, W, D]
  });
}

/** Frees the plan made for `model` (its folded kernels), if any; call before disposing the model. */
export function releaseFoldedNetwork(model: tf.LayersModel): void {
  const plan = plans.get(model);
  if (plan) tf.dispose(plan.owned);
  plans.delete(model);
}
