/**
 * Keras MobileNet (tfjs layers format) cut at the annotation layer. The model.json is cut before
 * loading (cut-layers.ts), so only the weights up to that layer are read; then, as usual,
 * `tf.model({inputs, outputs: getLayer(name).output})` names the output explicitly.
 */
import * as tf from '../util/tf.js';
import { dispatched, releaseNetworkState } from '../fast-paths/dispatch.js';
import { FileInputError } from '../util/user-error.js';
import { artifactsHandler, readArtifacts } from './artifacts.js';
import { cutAtLayer } from './cut-layers.js';
import type { FeatureNetwork } from './feature-network.js';
import { hashWeights } from './fingerprint.js';
import type { ModelFiles } from './model-files.js';

/** The network's output; the backend's fast path (folded batch norms, fused ReLU6) where it has one. */
const runNetwork = dispatched('network', (model, input) => model.predict(input) as tf.Tensor4D);

const firstLine = (err: unknown): string => String((err as Error).message ?? err).split('\n')[0] ?? '';

export async function loadLayersNetwork(files: ModelFiles, layer: string): Promise<FeatureNetwork> {
  const location = files.modelJsonLocation;
  const artifacts = await readArtifacts(files, { select: (json) => cutAtLayer(json, layer, location) });
  let full: tf.LayersModel;
  try {
    full = await tf.loadLayersModel(artifactsHandler(artifacts));
  } catch (err) {
    throw new FileInputError(location, `cannot be built as a Keras MobileNet (${firstLine(err)})`);
  }
  const cut = tf.model({ inputs: full.inputs, outputs: full.getLayer(layer).output as tf.SymbolicTensor });
  return {
    outputShapeAt: (size) => {
      // Shape inference through the layers (no kernel runs) at the input size the model declares, or at
      // `size` where it leaves it open; a declared size that is not `size` then shows as a wrong grid.
      const [, inH, inW] = cut.inputs[0]!.shape; // [B, S, S, 3], null where open
      const input = [1, typeof inH === 'number' ? inH : size, typeof inW === 'number' ? inW : size, 3];
      const [, h, w, d] = cut.computeOutputShape(input) as (number | null)[]; // [1, H, W, D]
      return typeof h === 'number' && typeof w === 'number' && typeof d === 'number' ? [h, w, d] : undefined;
    },
    run: (input) => runNetwork(cut, input), // [B, H, W, D]
    weightsSha256: hashWeights(artifacts), // the artifacts hold exactly the weights up to `layer`
    dispose: () => {
      releaseNetworkState(cut);
      full.dispose(); // `cut` shares `full`'s layers and weights
    },
  };
}
