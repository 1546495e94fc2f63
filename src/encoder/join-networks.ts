/**
 * Two trunks as one encoder: a Keras (tfjs layers) model that runs network A to its annotation layer and
 * network B to its own, beside each other on the same input, averages B's finer grid down onto A's
 * (2×2 cells into one when B's grid is twice A's), and concatenates the two per cell:
 *
 *   a = A(x)          [B, H, W, D_a]       (e.g. ImageNet MobileNet conv_pw_12: 7×7×1024)
 *   b = B(x)          [B, kH, kW, D_b]     (e.g. COCO-detection MobileNet Conv2d_11: 14×14×512)
 *   features = [a ; avgpool_k(b)]   [B, H, W, D_a + D_b]
 *
 * It is built from standard Keras layers only (B's layers renamed with a prefix, an AveragePooling2D and
 * a Concatenate), so everything that loads, cuts, fingerprints, carries and ships an encoder treats it
 * as any other layers-format encoder, in Node and in browsers.
 */
import type * as tf from '../util/tf.js';
import { concatBytes } from './weight-bytes.js';

export interface JoinPart {
  /** The network cut at its annotation layer (cut-layers.ts): topology and exactly its weights. */
  artifacts: tf.io.ModelArtifacts;
  /** The annotation layer (the cut's output). */
  layer: string;
  /** [H, W] of that layer for the encoder's input size. */
  grid: readonly [number, number];
}

/** The layer whose output is the joined annotation vectors. */
export const JOINED_LAYER = 'joined_features';
/** The prefix B's layers and weights get (its names collide with A's: both are MobileNets). */
export const SECOND_PREFIX = 'second_';

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: unknown;
}

interface KerasTopology {
  model_config: { class_name: string; config: { name?: string; layers: KerasLayer[]; input_layers: unknown; output_layers: unknown } };
  [key: string]: unknown;
}

/** inbound_nodes with every referenced layer name passed through `rename` (Keras 2 `[name, node, tensor, kwargs]`). */
function renameInbound(nodes: unknown, rename: (name: string) => string): unknown {
  if (!Array.isArray(nodes)) return nodes;
  if (typeof nodes[0] === 'string' && typeof nodes[1] === 'number') return [rename(nodes[0]), ...nodes.slice(1)];
  return nodes.map((n) => renameInbound(n, rename));
}

function layersOf(artifacts: tf.io.ModelArtifacts, what: string): { topology: KerasTopology; input: KerasLayer; rest: KerasLayer[] } {
  const topology = artifacts.modelTopology as KerasTopology | undefined;
  const layers = topology?.model_config?.config?.layers;
  if (!topology || !Array.isArray(layers)) throw new Error(`${what} is not a Keras layers model`);
  const inputs = layers.filter((l) => l.class_name === 'InputLayer');
  if (inputs.length !== 1) throw new Error(`${what} has ${inputs.length} input layers, expected 1`);
  return { topology, input: inputs[0]!, rest: layers.filter((l) => l.class_name !== 'InputLayer') };
}

/**
 * The joined model's artifacts (topology and one weight buffer, A's weights then B's). Throws when B's
 * grid is not A's times a whole number.
 */
export function joinNetworks(a: JoinPart, b: JoinPart): tf.io.ModelArtifacts {
  const [ha, wa] = a.grid;
  const [hb, wb] = b.grid;
  const k = hb / ha;
  if (!Number.isInteger(k) || k < 1 || wb / wa !== k) throw new Error(`cannot pool a ${hb}×${wb} grid onto ${ha}×${wa}`);
  const first = layersOf(a.artifacts, 'the first network');
  const second = layersOf(b.artifacts, 'the second network');
  const input = first.input.name;
  const rename = (name: string): string => (name === second.input.name ? input : `${SECOND_PREFIX}${name}`);
  const secondLayers: KerasLayer[] = second.rest.map((l) => ({
    ...l,
    name: rename(l.name),
    config: { ...l.config, name: rename(l.name) },
    inbound_nodes: renameInbound(l.inbound_nodes, rename),
  }));
  let pooled = rename(b.layer);
  const added: KerasLayer[] = [];
  if (k > 1) {
    pooled = `${SECOND_PREFIX}avgpool`;
    added.push({
      name: pooled,
      class_name: 'AveragePooling2D',
      config: { name: pooled, trainable: false, pool_size: [k, k], strides: [k, k], padding: 'valid', data_format: 'channels_last' },
      inbound_nodes: [[[rename(b.layer), 0, 0, {}]]],
    });
  }
  added.push({
    name: JOINED_LAYER,
    class_name: 'Concatenate',
    config: { name: JOINED_LAYER, trainable: false, axis: -1 },
    inbound_nodes: [
      [
        [a.layer, 0, 0, {}],
        [pooled, 0, 0, {}],
      ],
    ],
  });
  const config = first.topology.model_config.config;
  const modelTopology: KerasTopology = {
    ...first.topology,
    model_config: {
      ...first.topology.model_config,
      config: {
        ...config,
        name: 'joined',
        layers: [first.input, ...first.rest, ...secondLayers, ...added],
        input_layers: [[input, 0, 0]],
        output_layers: [[JOINED_LAYER, 0, 0]],
      },
    },
  };
  const bytes = (x: tf.io.ModelArtifacts) => new Uint8Array(x.weightData as ArrayBuffer);
  const data = concatBytes([bytes(a.artifacts), bytes(b.artifacts)]);
  return {
    modelTopology,
    weightSpecs: [
      ...(a.artifacts.weightSpecs ?? []),
      ...(b.artifacts.weightSpecs ?? []).map((s) => ({ ...s, name: `${SECOND_PREFIX}${s.name}` })),
    ],
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
  };
}
