/**
 * The encoder factory that runs anywhere (Node and browsers): the weights from `ModelFiles`, the
 * network cut at the annotation layer, its feature map checked and fingerprinted.
 */
import * as tf from '../util/tf.js';
import { DEFAULT_IMAGE_OPTIONS } from '../image/options.js';
import { FileInputError, UserError } from '../util/user-error.js';
import { DEFAULT_BATCH_SIZE, type Encoder, type EncoderConfig } from './encoder.js';
import type { FeatureNetwork } from './feature-network.js';
import { makeFingerprint } from './fingerprint.js';
import { loadGraphNetwork } from './graph-network.js';
import { loadLayersNetwork } from './layers-network.js';
import { MobileNetEncoder } from './mobilenet-encoder.js';
import type { ModelFiles } from './model-files.js';
import { DEFAULT_VARIANT, variantNamed, type EncoderVariant } from './variants.js';

/**
 * The feature map's [H, W, D]: from the network's layer shapes, else from running it once on a blank photo
 * (loading then runs no convolution where it need not: `train` only carries the encoder, see conv-fence.ts).
 */
function probeOutputShape(network: FeatureNetwork, variant: EncoderVariant): number[] {
  const size = variant.inputSize;
  const extra = variant.cellColour ? 3 : 0;
  const inferred = network.outputShapeAt?.(size);
  if (inferred) return [inferred[0], inferred[1], inferred[2] + extra];
  return tf.tidy(() => {
    const blank = tf.zeros<tf.Rank.R4>([1, size, size, 3]); // [1, S, S, 3]
    const [h, w, d] = network.run(blank).shape.slice(1); // [H, W, D]
    return [h!, w!, d! + extra];
  });
}

function checkOutputShape(shape: number[], variant: EncoderVariant, layer: string, location: string): [number, number, number] {
  const [h, w, d] = shape;
  if (shape.length !== 3 || h === undefined || w === undefined || d === undefined) {
    throw new FileInputError(location, `layer "${layer}" gives [${shape.join(', ')}], not an H×W×D feature map`);
  }
  const { grid, depth } = variant;
  if (layer === variant.layer && (h !== grid.height || w !== grid.width || d !== depth)) {
    throw new FileInputError(
      location,
      `gives ${h}×${w}×${d} at ${layer}, but encoder ${variant.name} expects ${grid.height}×${grid.width}×${depth} (weights of another MobileNet?)`,
    );
  }
  return [h, w, d];
}

/** The weights' location for `config`: its source, else the variant's online copy (UserError if none). */
export function encoderSource(config: EncoderConfig): string {
  const variant = variantNamed(config.variant ?? DEFAULT_VARIANT);
  const source = config.source ?? variant.url;
  if (source === undefined) {
    throw new UserError(
      `encoder ${variant.name} has no online copy: pass --encoder-weights <dir> with its weights (made by \`${variant.howToMake ?? 'npm run convert-weights'}\`)`,
    );
  }
  return source;
}

/**
 * Loads, cuts, checks and fingerprints the encoder described by `config` from `files` (a folder or URL
 * in Node: `loadEncoder` in load-encoder.ts resolves `config.source`; in a browser: HTTP files).
 */
export async function loadEncoderFrom(files: ModelFiles, config: EncoderConfig = {}): Promise<Encoder> {
  const variant = variantNamed(config.variant ?? DEFAULT_VARIANT);
  const batchSize = config.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new UserError(`encoder batch size must be a positive integer, got ${batchSize}`);
  const layer = config.layer ?? variant.layer;
  const network = variant.format === 'layers' ? await loadLayersNetwork(files, layer) : await loadGraphNetwork(files, variant, layer);
  try {
    const outputShape = checkOutputShape(probeOutputShape(network, variant), variant, layer, files.modelJsonLocation);
    const fingerprint = makeFingerprint({
      variant: variant.name,
      format: variant.format,
      alpha: variant.alpha,
      layer,
      outputShape,
      inputSize: variant.inputSize,
      resize: config.resize ?? DEFAULT_IMAGE_OPTIONS.policy,
      inputRange: [variant.inputRange[0], variant.inputRange[1]],
      weightsSha256: network.weightsSha256,
    });
    return new MobileNetEncoder(network, fingerprint, batchSize, variant.cellColour ?? false);
  } catch (err) {
    network.dispose();
    throw err;
  }
}
