/**
 * The encoder of Show, Attend and Tell: a photo → L annotation vectors a_1..a_L of D numbers, read
 * from a lower convolutional layer of an ImageNet MobileNet so each vector describes one cell of an
 * H×W grid over the photo (default: MobileNet v1 α=1.0, conv_pw_11_relu → 14×14×512, L=196, D=512).
 *
 * `loadEncoder(config)` (load-encoder.ts, Node) and `loadEncoderFrom(files, config)` (anywhere,
 * load-encoder-from.ts) are the factory: pick the variant (variants.ts), read the weights from a folder, a URL or the variant's
 * online default, cut the network at the annotation layer, check the feature map it gives, and
 * fingerprint the result (fingerprint.ts).
 */
import type * as tf from '../util/tf.js';
import type { PreparedImage, ResizePolicy } from '../image/types.js';
import type { EncoderFingerprint } from './fingerprint.js';

export interface Encoder {
  /** Identifies these exact annotation vectors; decoder checkpoints store it. */
  readonly fingerprint: EncoderFingerprint;
  /** The H×W grid of annotation vectors (L = height·width). */
  readonly grid: { height: number; width: number };
  /** D: numbers per annotation vector. */
  readonly depth: number;
  /** S: side of the square input image. */
  readonly inputSize: number;
  /** What `prepareImage(file, encoder.imageOptions)` needs to make photos this encoder expects. */
  readonly imageOptions: { size: number; policy: ResizePolicy };
  /** Default batch size of `encodeImages`. */
  readonly batchSize: number;
  /** [B, S, S, 3] float32 RGB in 0..255 → [B, L, D] float32. The caller disposes input and output. */
  encode(batch: tf.Tensor4D): tf.Tensor3D;
  /**
   * Photos → one Float32Array per photo of L·D numbers (row-major [L, D]), computed `batchSize`
   * photos at a time; no tensor outlives the call.
   */
  encodeImages(images: readonly PreparedImage[], batchSize?: number): Promise<Float32Array[]>;
  /** Frees the weights; the encoder is unusable afterwards. */
  dispose(): void;
}

export interface EncoderConfig {
  /** A key of ENCODER_VARIANTS (default `mobilenet_v1_1.0`). */
  variant?: string;
  /** A local folder / model.json path, or an http(s) URL; undefined = the variant's online default. */
  source?: string;
  /** Read the features from another layer (layers format) or node (graph format). */
  layer?: string;
  /** How photos are fitted to the square input; recorded in the fingerprint (default `squash`). */
  resize?: ResizePolicy;
  /** Photos per forward pass in `encodeImages` (default 16). */
  batchSize?: number;
}

export const DEFAULT_BATCH_SIZE = 16;
