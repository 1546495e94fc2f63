/**
 * Every MobileNet the encoder can use, in one table (like @tensorflow-models/mobilenet's MODEL_INFO):
 * its file format, width multiplier α, input range, the layer whose activations are the annotation
 * vectors, the grid and depth that layer gives, and where the weights live online.
 */
import { UserError } from '../util/user-error.js';
import { JOINED_LAYER } from './join-networks.js';

/** `layers`: a Keras model converted to tfjs (tf.loadLayersModel); `graph`: a TF-Hub graph model. */
export type EncoderFormat = 'layers' | 'graph';

/** The width multipliers MobileNet v1 was published with. */
export type MobileNetAlpha = 0.25 | 0.5 | 0.75 | 1.0;

export interface EncoderVariant {
  /** The table key, also the first part of the encoder fingerprint. */
  name: string;
  format: EncoderFormat;
  alpha: MobileNetAlpha;
  /** Side of the square input image. */
  inputSize: number;
  /** The pixel range the network was trained on: 0..255 is mapped linearly onto it. */
  inputRange: readonly [number, number];
  /** The annotation layer (`layers`) or graph node (`graph`) the features are read from. */
  layer: string;
  /** What `layer` gives for an `inputSize` image: L = height·width vectors of `depth` numbers. */
  grid: { height: number; width: number };
  depth: number;
  /** Where the weights are downloaded from when no local copy is given (none: a local copy only). */
  url?: string;
  /** How a local copy of weights without an online source is made (for the error when none is given). */
  howToMake?: string;
  /**
   * Append each grid cell's mean colour to its annotation vector (D = network depth + 3), as RGB in
   * 0..CELL_COLOUR_SCALE. Measured: MobileNet's conv_pw_11 features entangle colour with shape (a
   * linear probe reads an object's colour at 99 % for colour–shape pairs seen in training and 0 % for
   * unseen ones), so a decoder cannot name the colour of an unseen pair from them; the cell colour is
   * a shape-free cue.
   */
  cellColour?: boolean;
  /**
   * A joined encoder (join-networks.ts): the variants whose annotation layers it runs side by side,
   * the second averaged onto the first's grid, concatenated per cell. `npm run join-encoders` makes it.
   */
  joins?: readonly [string, string];
}

/**
 * The range of the appended cell colour, 0..20 (MobileNet's ReLU6 activations are 0..6). A large cue
 * is a cheap one: under weight decay the decoder then reads colour words from it rather than from the
 * shape information in the network's features. Linear probe, held-out colour–shape pairs, weight decay
 * 0.01: colour read correctly 93 % with a ×10 cue, 99.7 % with ×50; 0 % without decay at any scale.
 */
export const CELL_COLOUR_SCALE = 20;

const KERAS_URL = 'https://storage.googleapis.com/tfjs-models/tfjs';
/** The TF-Hub modules @tensorflow-models/mobilenet itself downloads (its MODEL_INFO). */
const TFHUB_URL = 'https://tfhub.dev/google/imagenet';
const TFHUB_NODE_11 = 'module_apply_default/MobilenetV1/MobilenetV1/Conv2d_11_pointwise/Relu6';

/** The 14×14 grid every variant reads its annotation vectors from (a 224×224 input). */
const GRID_14 = { height: 14, width: 14 } as const;

/** A Keras MobileNet v1 (tfjs layers format) read at conv_pw_11_relu: 14×14×(1024α/2). */
function kerasVariant(alpha: MobileNetAlpha, cellColour = false): EncoderVariant {
  const a = alpha.toFixed(alpha === 1 ? 1 : 2);
  return {
    name: `mobilenet_v1_${a}${cellColour ? '+rgb' : ''}`,
    format: 'layers',
    alpha,
    inputSize: 224,
    inputRange: [-1, 1],
    layer: 'conv_pw_11_relu',
    grid: GRID_14,
    depth: 512 * alpha + (cellColour ? 3 : 0),
    url: `${KERAS_URL}/mobilenet_v1_${a}_224/model.json`,
    ...(cellColour ? { cellColour } : {}),
  };
}

/** A TF-Hub MobileNet v1 (graph format, via @tensorflow-models/mobilenet) tapped at Conv2d_11_pointwise. */
function tfhubVariant(alpha: MobileNetAlpha): EncoderVariant {
  const a = alpha.toFixed(alpha === 1 ? 1 : 2);
  return {
    name: `tfhub_mobilenet_v1_${a}`,
    format: 'graph',
    alpha,
    inputSize: 224,
    inputRange: [0, 1],
    layer: TFHUB_NODE_11,
    grid: GRID_14,
    depth: 512 * alpha,
    url: `${TFHUB_URL}/mobilenet_v1_${String(Math.round(alpha * 100)).padStart(3, '0')}_224/classification/1`,
  };
}

/**
 * A network converted from `.npy` tensors by `npm run convert-weights` (layers format, inputs in
 * [-1, 1], 224 px, a 14×14 grid): there is no online copy, `--encoder-weights <dir>` names the converted
 * folder. (`alpha` is MobileNet's notion; 1.0 for these.)
 */
function convertedVariant(name: string, layer: string, depth: number, arch: string): EncoderVariant {
  const flag = arch === 'mobilenet_v1' ? '' : ` --arch ${arch}`;
  return {
    name,
    format: 'layers',
    alpha: 1.0,
    inputSize: 224,
    inputRange: [-1, 1],
    layer,
    grid: GRID_14,
    depth,
    howToMake: `npm run convert-weights --${flag} --from <${arch} .npy folder> --out <dir>`,
  };
}

/** MobileNet v1 α=1.0 trained for COCO object detection (TF's ssd_mobilenet_v1_coco) at conv_pw_11_relu (TF's Conv2d_11_pointwise). */
const COCO_DETECTION = convertedVariant('mobilenet_v1_1.0_coco', 'conv_pw_11_relu', 512, 'mobilenet_v1');

/** ResNet-50 v2 (TF-slim, ImageNet): block 3 unit 5's output through unit 6's pre-activation, 14×14×1024. */
const RESNET50_V2 = convertedVariant('resnet_v2_50', 'block3_unit6_preact_relu', 1024, 'resnet_v2_50');

/** The same ImageNet MobileNet one block higher: conv_pw_12_relu, a coarser 7×7 grid of 1,024-d vectors. */
const IMAGENET_PW12: EncoderVariant = {
  ...kerasVariant(1.0),
  name: 'mobilenet_v1_1.0_pw12',
  layer: 'conv_pw_12_relu',
  grid: { height: 7, width: 7 },
  depth: 1024,
};

/**
 * Both trunks on one 7×7 grid: the shipped conv_pw_12 (ImageNet, 1,024) beside the COCO-detection
 * Conv2d_11 (512) averaged over 2×2 cells, the trunk the detector tagger runs anyway.
 */
const IMAGENET_PW12_COCO: EncoderVariant = {
  name: 'mobilenet_v1_1.0_pw12+coco',
  format: 'layers',
  alpha: 1.0,
  inputSize: 224,
  inputRange: [-1, 1],
  layer: JOINED_LAYER,
  grid: { height: 7, width: 7 },
  depth: 1024 + 512,
  joins: [IMAGENET_PW12.name, COCO_DETECTION.name],
  howToMake:
    'npm run join-encoders -- --variant mobilenet_v1_1.0_pw12+coco --first <its conv_pw_12 folder> --second <mobilenet_v1_1.0_coco folder> --out <dir>',
};

export const ENCODER_VARIANTS: Readonly<Record<string, EncoderVariant>> = Object.fromEntries(
  [
    kerasVariant(1.0),
    kerasVariant(1.0, true),
    kerasVariant(0.25),
    kerasVariant(0.25, true),
    tfhubVariant(1.0),
    tfhubVariant(0.25),
    COCO_DETECTION,
    IMAGENET_PW12,
    RESNET50_V2,
    IMAGENET_PW12_COCO,
  ].map((v) => [v.name, v]),
);

export type EncoderVariantName = string;

/** The paper's setting: a 14×14 grid of 512-d annotation vectors (L=196, D=512). */
export const DEFAULT_VARIANT: EncoderVariantName = 'mobilenet_v1_1.0';

const VARIANT_NAMES = Object.keys(ENCODER_VARIANTS) as EncoderVariantName[];

/** The variant called `name`, or a UserError listing the known names. */
export function variantNamed(name: string): EncoderVariant {
  const variant = ENCODER_VARIANTS[name];
  if (!variant) throw new UserError(`unknown encoder "${name}" (expected one of: ${VARIANT_NAMES.join(', ')})`);
  return variant;
}
