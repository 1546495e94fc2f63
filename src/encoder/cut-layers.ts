/**
 * Cuts a Keras (tfjs layers) model.json at one layer before anything is loaded: the topology keeps
 * only that layer and the layers it depends on, its output becomes the model's output, and only
 * those layers' weights are kept (so shards of later blocks and the classifier are never read).
 */
import type * as tf from '../util/tf.js';
import { FileInputError } from '../util/user-error.js';
import type { WeightSelection } from './artifacts.js';

interface KerasLayer {
  name: string;
  class_name: string;
  inbound_nodes: unknown;
}

interface KerasModelConfig {
  layers: KerasLayer[];
  output_layers: unknown;
  [key: string]: unknown;
}

/** Names of the layers a layer's inbound_nodes refer to (Keras 2 `[name, node, tensor, kwargs]`). */
function inboundLayerNames(nodes: unknown, into: string[] = []): string[] {
  if (Array.isArray(nodes)) {
    if (typeof nodes[0] === 'string' && typeof nodes[1] === 'number') into.push(nodes[0]);
    else for (const n of nodes) inboundLayerNames(n, into);
  } else if (typeof nodes === 'object' && nodes !== null) {
    for (const v of Object.values(nodes)) inboundLayerNames(v, into);
  }
  return into;
}

function modelConfigOf(json: tf.io.ModelJSON, location: string): KerasModelConfig {
  const topology = json.modelTopology as { model_config?: { class_name?: string; config?: KerasModelConfig } };
  const config = topology.model_config?.config;
  if (!config || !Array.isArray(config.layers)) {
    throw new FileInputError(
      location,
      'is not a Keras layers model (no model_config.config.layers; a TF-Hub graph model needs a tfhub_* encoder)',
    );
  }
  if (topology.model_config?.class_name === 'Sequential') {
    throw new FileInputError(location, 'is a Sequential model; expected a functional (Model) MobileNet');
  }
  return config;
}

/** The layers `layer` takes its input from (none when the model has no such layer). */
export function inputsOfLayer(json: tf.io.ModelJSON, layer: string, location: string): string[] {
  const l = modelConfigOf(json, location).layers.find((x) => x.name === layer);
  return l ? inboundLayerNames(l.inbound_nodes) : [];
}

/** The layer `layer` and every layer it (transitively) takes input from. */
function ancestors(layers: readonly KerasLayer[], layer: string): Set<string> {
  const byName = new Map(layers.map((l) => [l.name, l]));
  const kept = new Set<string>();
  const pending = [layer];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (kept.has(name)) continue;
    kept.add(name);
    const l = byName.get(name);
    if (l) pending.push(...inboundLayerNames(l.inbound_nodes));
  }
  return kept;
}

/** A WeightSelection building the model up to `layer` (for readArtifacts' `select`). */
export function cutAtLayer(json: tf.io.ModelJSON, layer: string, location: string): WeightSelection {
  const config = modelConfigOf(json, location);
  if (!config.layers.some((l) => l.name === layer)) {
    const last = config.layers
      .slice(-4)
      .map((l) => l.name)
      .join(', ');
    throw new FileInputError(location, `has no layer "${layer}" (its ${config.layers.length} layers end with: ${last})`);
  }
  const kept = ancestors(config.layers, layer);
  const modelConfig = (json.modelTopology as { model_config: object }).model_config;
  const modelTopology = {
    ...json.modelTopology,
    model_config: {
      ...modelConfig,
      config: { ...config, layers: config.layers.filter((l) => kept.has(l.name)), output_layers: [[layer, 0, 0]] },
    },
  };
  // Keras names each weight `<layer>/<variable>` (conv1/kernel, conv1_bn/gamma, ...).
  const keepWeight = (name: string): boolean => kept.has(name.split('/')[0] ?? '');
  return { modelTopology, keepWeight };
}
