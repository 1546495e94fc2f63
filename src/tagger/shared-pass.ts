/**
 * Whether the captioner's encoder pass is one of the detector's views. It is when the checkpoint's
 * encoder *is* the detector's trunk, shown the photo the same way:
 *  - its annotation layer is the layer SSD's class head reads (conv_pw_11_relu),
 *  - its stored weights up to that layer hash alike (SHA-256 over the same bytes, fingerprint.ts),
 *  - its variant feeds the network's raw output (a Keras MobileNet on [-1, 1], no appended cell colour)
 *    of the head's input depth,
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
import { ENCODER_VARIANTS } from '../encoder/variants.js';
import { weightByteLength, weightOffsets } from '../encoder/weight-bytes.js';
import type { DetectorView, SharedPass } from './detector.js';

const KERNEL = `${SSD_CLASS_HEAD}/kernel`;
const BIAS = `${SSD_CLASS_HEAD}/bias`;

/** The class head's two tensors, decoded alone from artifacts that hold them among others. */
function decodeHead(artifacts: tf.io.ModelArtifacts): { kernel: tf.Tensor; bias: tf.Tensor } | undefined {
  const specs = artifacts.weightSpecs ?? [];
  const data = artifacts.weightData;
  if (!(data instanceof ArrayBuffer)) return undefined; // readArtifacts gives one buffer
  const offsets = weightOffsets(specs);
  const one = (name: string) => {
    const i = specs.findIndex((s) => s.name === name);
    if (i < 0) return undefined;
    const start = offsets[i]!;
    return tf.io.decodeWeights(data.slice(start, start + weightByteLength(specs[i]!)), [specs[i]!])[name];
  };
  const kernel = one(KERNEL);
  const bias = one(BIAS);
  if (kernel && bias) return { kernel, bias };
  tf.dispose([kernel, bias].filter((t): t is tf.Tensor => t !== undefined));
  return undefined;
}

/** The shared pass of a detector stored in `files` for a captioner on encoder `encoderId`, or undefined. */
export async function sharedPassFor(files: ModelFiles, views: readonly DetectorView[], encoderId: string): Promise<SharedPass | undefined> {
  const encoder = encoderConfigOf(encoderId);
  const variant = ENCODER_VARIANTS[encoder.variant];
  const rawOutput = variant?.format === 'layers' && variant.inputRange[0] === -1 && variant.inputRange[1] === 1 && !variant.cellColour;
  const view = views.findIndex((v) => v.canvas === encoder.inputSize && v.size === encoder.inputSize);
  if (!variant || !rawOutput || encoder.resize !== 'squash' || view < 0) return undefined;
  let trunk: WeightSelection | undefined; // the weights up to the class head's input, when that is the annotation layer
  const artifacts = await readArtifacts(files, {
    select: (json) => {
      const location = files.modelJsonLocation;
      if (inputsOfLayer(json, SSD_CLASS_HEAD, location).join() === encoder.layer) trunk = cutAtLayer(json, encoder.layer, location);
      // No shard is read unless the layers match.
      return {
        modelTopology: json.modelTopology,
        keepWeight: (name) => trunk !== undefined && (trunk.keepWeight(name) || name === KERNEL || name === BIAS),
      };
    },
  });
  if (!trunk || hashWeights(artifacts, trunk.keepWeight) !== encoder.weightsSha256) return undefined;
  const head = decodeHead(artifacts);
  if (!head) return undefined;
  const [kh, kw, depth, outputs] = head.kernel.shape;
  if (head.kernel.rank !== 4 || kh !== 1 || kw !== 1 || depth !== variant.depth || head.bias.shape.join() !== String(outputs)) {
    tf.dispose([head.kernel, head.bias]);
    return undefined;
  }
  const kernel = tf.reshape(head.kernel, [depth, outputs!]) as tf.Tensor2D; // [D, ANCHORS · 91]: a 1×1 convolution is a matmul
  head.kernel.dispose();
  return { view, head: { kernel, bias: head.bias as tf.Tensor1D } };
}
