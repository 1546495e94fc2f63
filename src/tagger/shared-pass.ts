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
 *
 * A joined encoder (join-networks.ts) shares a pass too when its *second* part is the detector's trunk:
 * the part's weights in the checkpoint's `encoder/` are the detector's, byte for byte (and that folder
 * is the encoder the checkpoint names, by its hash), and one view is the whole photo with the trunk's
 * cells averaged as the encoder averages them ({canvas: S, size: S, pool: k}). That view's class head
 * then reads the annotation vectors' last channels.
 */
import * as tf from '../util/tf.js';
import { readArtifacts, type WeightSelection } from '../encoder/artifacts.js';
import { cutAtLayer, inputsOfLayer } from '../encoder/cut-layers.js';
import { encoderConfigOf, hashWeights } from '../encoder/fingerprint.js';
import { SECOND_PREFIX } from '../encoder/join-networks.js';
import type { ModelFiles } from '../encoder/model-files.js';
import { SSD_CLASS_HEAD } from '../encoder/npy/mobilenet-plan.js';
import { ENCODER_VARIANTS, type EncoderVariant } from '../encoder/variants.js';
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

/** A Keras MobileNet on [-1, 1] whose annotation layer is the network's own output (what SSD's head reads). */
const feedsRawOutput = (v: EncoderVariant | undefined): v is EncoderVariant =>
  v?.format === 'layers' && v.inputRange[0] === -1 && v.inputRange[1] === 1 && !v.cellColour;

/** Each weight's spec and stored bytes, by name. */
function storedWeights(artifacts: tf.io.ModelArtifacts): Map<string, { spec: tf.io.WeightsManifestEntry; bytes: Uint8Array }> {
  const specs = artifacts.weightSpecs ?? [];
  const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
  const offsets = weightOffsets(specs);
  return new Map(specs.map((spec, i) => [spec.name, { spec, bytes: data.subarray(offsets[i]!, offsets[i]! + weightByteLength(spec)) }]));
}

const sameSpec = (a: tf.io.WeightsManifestEntry, b: tf.io.WeightsManifestEntry): boolean =>
  a.dtype === b.dtype && a.shape.join() === b.shape.join() && a.quantization?.dtype === b.quantization?.dtype;

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/**
 * The detector's artifacts holding its trunk up to `layer` (when SSD's head reads `layer`) and the head,
 * with the trunk's selection; no shard is read unless the layers match.
 */
async function trunkAndHead(
  files: ModelFiles,
  layer: string,
): Promise<{ artifacts: tf.io.ModelArtifacts; trunk: WeightSelection } | undefined> {
  let trunk: WeightSelection | undefined;
  const artifacts = await readArtifacts(files, {
    select: (json) => {
      const location = files.modelJsonLocation;
      if (inputsOfLayer(json, SSD_CLASS_HEAD, location).join() === layer) trunk = cutAtLayer(json, layer, location);
      return {
        modelTopology: json.modelTopology,
        keepWeight: (name) => trunk !== undefined && (trunk.keepWeight(name) || name === KERNEL || name === BIAS),
      };
    },
  });
  return trunk ? { artifacts, trunk } : undefined;
}

/** The class head as a matrix, when it reads `depth` channels; undefined (nothing held) otherwise. */
function headOf(artifacts: tf.io.ModelArtifacts, depth: number): SharedPass['head'] | undefined {
  const head = decodeHead(artifacts);
  if (!head) return undefined;
  const [kh, kw, inputs, outputs] = head.kernel.shape;
  if (head.kernel.rank !== 4 || kh !== 1 || kw !== 1 || inputs !== depth || head.bias.shape.join() !== String(outputs)) {
    tf.dispose([head.kernel, head.bias]);
    return undefined;
  }
  const kernel = tf.reshape(head.kernel, [depth, outputs!]) as tf.Tensor2D; // [D, ANCHORS · 91]: a 1×1 convolution is a matmul
  head.kernel.dispose();
  return { kernel, bias: head.bias as tf.Tensor1D };
}

/**
 * The shared pass of a detector stored in `files` for a captioner on encoder `encoderId`, or undefined.
 * `encoderFiles`: the checkpoint's copy of that encoder (needed for a joined encoder).
 */
export async function sharedPassFor(
  files: ModelFiles,
  views: readonly DetectorView[],
  encoderId: string,
  encoderFiles?: ModelFiles,
): Promise<SharedPass | undefined> {
  const encoder = encoderConfigOf(encoderId);
  const variant = ENCODER_VARIANTS[encoder.variant];
  if (!variant || encoder.resize !== 'squash') return undefined;
  const wholePhoto = (pool: number) =>
    views.findIndex((v) => v.canvas === encoder.inputSize && v.size === encoder.inputSize && (v.pool ?? 1) === pool);
  if (variant.joins) {
    const second = ENCODER_VARIANTS[variant.joins[1]];
    if (!feedsRawOutput(second) || encoderFiles === undefined) return undefined;
    const view = wholePhoto(second.grid.height / variant.grid.height);
    if (view < 0) return undefined;
    const detector = await trunkAndHead(files, second.layer);
    if (!detector) return undefined;
    const joined = await readArtifacts(encoderFiles).catch(() => undefined);
    if (!joined || hashWeights(joined) !== encoder.weightsSha256) return undefined;
    const ours = storedWeights(joined);
    const trunk = [...storedWeights(detector.artifacts)].filter(([name]) => detector.trunk.keepWeight(name));
    const alike = trunk.every(([name, { spec, bytes }]) => {
      const mine = ours.get(`${SECOND_PREFIX}${name}`);
      return mine !== undefined && sameSpec(mine.spec, spec) && sameBytes(mine.bytes, bytes);
    });
    const parts = [...ours.keys()].filter((name) => name.startsWith(SECOND_PREFIX)).length;
    if (!alike || parts !== trunk.length) return undefined;
    const head = headOf(detector.artifacts, second.depth);
    return head && { view, head, channels: [variant.depth - second.depth, second.depth] };
  }
  const view = wholePhoto(1);
  if (!feedsRawOutput(variant) || view < 0) return undefined;
  const detector = await trunkAndHead(files, encoder.layer);
  if (!detector || hashWeights(detector.artifacts, detector.trunk.keepWeight) !== encoder.weightsSha256) return undefined;
  const head = headOf(detector.artifacts, variant.depth);
  return head && { view, head };
}
