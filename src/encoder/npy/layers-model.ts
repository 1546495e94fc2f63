/**
 * Writes a Keras functional model in TensorFlow.js's layers format (model.json + one weights.bin) from
 * a plain list of layers and their weights: what the `.npy` converters produce, and what the encoder's
 * `layers` loader reads (cut at the annotation layer, fingerprinted) like any Keras MobileNet.
 */
import { concatBytes } from '../../util/bytes.js';
import { encodeFloat16 } from '../../util/float16.js';
import { writeLayersFolder } from '../layers-folder.js';

export type WeightDtype = 'float32' | 'float16';

export interface NamedWeight {
  /** `<layer>/<variable>`, e.g. `conv_pw_3/kernel`. */
  name: string;
  shape: number[];
  data: Float32Array;
}

/** One Keras layer: its class, config, and the layers it reads (by name). */
export interface KerasLayerSpec {
  className: string;
  name: string;
  config: Record<string, unknown>;
  inputs: string[];
}

function layerJson(l: KerasLayerSpec): object {
  return {
    class_name: l.className,
    name: l.name,
    config: { name: l.name, trainable: false, ...l.config },
    inbound_nodes: l.inputs.length ? [l.inputs.map((i) => [i, 0, 0, {}])] : [],
  };
}

/** The Keras model_config of layers in order; the first is the input, the last the output. */
export function kerasModelTopology(name: string, layers: readonly KerasLayerSpec[]): object {
  const first = layers[0]!.name;
  const last = layers.at(-1)!.name;
  return {
    keras_version: '2.1.4',
    backend: 'tensorflow',
    model_config: {
      class_name: 'Model',
      config: { name, layers: layers.map(layerJson), input_layers: [[first, 0, 0]], output_layers: [[last, 0, 0]] },
    },
  };
}

export const inputLayer = (name: string): KerasLayerSpec => ({
  className: 'InputLayer',
  name,
  config: { batch_input_shape: [null, null, null, 3], dtype: 'float32', sparse: false },
  inputs: [],
});

/** Writes model.json and weights.bin into `dir`, built beside it and renamed in (never half-written). */
export async function writeLayersModel(
  dir: string,
  topology: object,
  weights: readonly NamedWeight[],
  dtype: WeightDtype,
): Promise<number> {
  const data = concatBytes(
    weights.map((w) =>
      dtype === 'float16'
        ? new Uint8Array(encodeFloat16(w.data).buffer)
        : new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength),
    ),
  );
  const total = data.byteLength;
  const specs = weights.map((w) => ({
    name: w.name,
    shape: w.shape,
    dtype: 'float32' as const,
    ...(dtype === 'float16' ? { quantization: { dtype: 'float16' as const, original_dtype: 'float32' as const } } : {}),
  }));
  await writeLayersFolder(dir, { modelTopology: topology, weightSpecs: specs, weightData: data }, 'attend-caption convert-weights');
  return total;
}
