/**
 * Whether the captioner's encoder pass is one of the detector's views. It is when the checkpoint's
 * encoder *is* the detector's trunk:
 *  - its annotation layer is the layer SSD's class head reads (conv_pw_11_relu),
 *  - its stored weights up to that layer hash alike (SHA-256 over the same bytes, fingerprint.ts),
 *  - it squashes the whole photo to its input size S, and one of the views is {canvas: S, size: S}.
 * Then that view's trunk output is the annotation vectors, and only the class head remains to run
 * (detector.ts, `SharedPass`). Anything else (the shipped 7×7 ImageNet encoder) shares nothing.
 */
import * as tf from '../util/tf.js';
import { readArtifacts, type WeightSelection } from '../encoder/artifacts.js';
import { cutAtLayer, inputsOfLayer } from '../encoder/cut-layers.js';
import { encoderConfigOf, hashWeights } from '../encoder/fingerprint.js';
import type { ModelFiles } from '../encoder/model-files.js';
import { SSD_CLASS_HEAD } from '../encoder/npy/mobilenet-plan.js';
import type { DetectorView, SharedPass } from './detector.js';

const isHead = (name: string): boolean => name.startsWith(`${SSD_CLASS_HEAD}/`);

/** The shared pass of a detector stored in `files` for a captioner on encoder `encoderId`, or undefined. */
export async function sharedPassFor(files: ModelFiles, views: readonly DetectorView[], encoderId: string): Promise<SharedPass | undefined> {
  const encoder = encoderConfigOf(encoderId);
  const view = views.findIndex((v) => v.canvas === encoder.inputSize && v.size === encoder.inputSize);
  if (encoder.resize !== 'squash' || view < 0) return undefined;
  let trunk: WeightSelection | undefined; // the weights up to the class head's input, when that is the annotation layer
  const artifacts = await readArtifacts(files, {
    select: (json) => {
      const location = files.modelJsonLocation;
      if (inputsOfLayer(json, SSD_CLASS_HEAD, location).join() === encoder.layer) trunk = cutAtLayer(json, encoder.layer, location);
      // Nothing is read unless the layers match.
      return { modelTopology: json.modelTopology, keepWeight: (name) => trunk !== undefined && (trunk.keepWeight(name) || isHead(name)) };
    },
  });
  if (!trunk || hashWeights(artifacts, trunk.keepWeight) !== encoder.weightsSha256) return undefined;
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  const kernel = weights[`${SSD_CLASS_HEAD}/kernel`];
  const bias = weights[`${SSD_CLASS_HEAD}/bias`];
  tf.dispose(Object.values(weights).filter((t) => t !== kernel && t !== bias));
  if (kernel?.rank !== 4 || bias?.rank !== 1) {
    tf.dispose([kernel, bias].filter((t) => t !== undefined));
    return undefined;
  }
  return { view, head: { kernel: kernel as tf.Tensor4D, bias: bias as tf.Tensor1D }, grid: encoder.grid };
}
