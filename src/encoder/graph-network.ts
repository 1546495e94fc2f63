/**
 * TF-Hub MobileNet (tfjs graph format) loaded through @tensorflow-models/mobilenet and tapped at an
 * intermediate node with the underlying GraphModel's `execute(input, node)`. The package's `load`
 * takes an IOHandler as `modelUrl`; we give it the artifacts we read (from disk or http) so the same
 * code serves local copies and online users, and the fingerprint can hash the bytes it used.
 */
import * as tf from '../util/tf.js';
import * as mobilenet from '@tensorflow-models/mobilenet';
import { FileInputError } from '../util/user-error.js';
import { artifactsHandler, readArtifacts } from './artifacts.js';
import type { FeatureNetwork } from './feature-network.js';
import { hashWeights } from './fingerprint.js';
import { graphNodeNames, weightsFeeding } from './graph-ancestors.js';
import type { ModelFiles } from './model-files.js';
import type { EncoderVariant } from './variants.js';

const firstLine = (err: unknown): string => String((err as Error).message ?? err).split('\n')[0] ?? '';

/** The GraphModel inside the package's MobileNet (its `model` field; not part of its typed API). */
function graphModelOf(net: mobilenet.MobileNet): tf.GraphModel {
  const model = (net as unknown as { model?: unknown }).model;
  if (!(model instanceof tf.GraphModel)) throw new Error('@tensorflow-models/mobilenet: no GraphModel at .model');
  return model;
}

export async function loadGraphNetwork(files: ModelFiles, variant: EncoderVariant, node: string): Promise<FeatureNetwork> {
  const location = files.modelJsonLocation;
  const artifacts = await readArtifacts(files); // graph models come as one shard: read it whole
  const weights = weightsFeeding(artifacts.modelTopology, node);
  if (!weights) {
    const names = graphNodeNames(artifacts.modelTopology);
    if (names.length === 0)
      throw new FileInputError(location, 'is not a graph model (no nodes; a Keras layers model needs a mobilenet_v1_* encoder)');
    throw new FileInputError(location, `has no node "${node}" (${names.length} nodes, e.g. ${names.slice(-2).join(', ')})`);
  }
  let net: mobilenet.MobileNet;
  try {
    net = await mobilenet.load({
      version: 1,
      alpha: variant.alpha,
      modelUrl: artifactsHandler(artifacts),
      inputRange: [variant.inputRange[0], variant.inputRange[1]],
    });
  } catch (err) {
    throw new FileInputError(location, `cannot be loaded as a TF-Hub MobileNet (${firstLine(err)})`);
  }
  const graph = graphModelOf(net);
  return {
    run: (input) => graph.execute(input, node) as tf.Tensor4D, // [B, H, W, D]
    weightsSha256: hashWeights(artifacts, (name) => weights.has(name)),
    dispose: () => graph.dispose(),
  };
}
