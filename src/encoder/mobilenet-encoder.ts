/**
 * The Encoder over a FeatureNetwork: scales 0..255 pixels to the network's range, runs it, and
 * flattens the H×W grid into L = H·W annotation vectors of D numbers ([B, L, D], row-major grid:
 * vector l is grid cell (l / W, l % W)).
 */
import * as tf from '../util/tf.js';
import type { PreparedImage } from '../image/types.js';
import type { Encoder } from './encoder.js';
import type { FeatureNetwork } from './feature-network.js';
import type { EncoderFingerprint } from './fingerprint.js';
import { imagesToBatch, scaleToInputRange } from './preprocess.js';
import { CELL_COLOUR_SCALE } from './variants.js';

export class MobileNetEncoder implements Encoder {
  readonly grid: { height: number; width: number };
  readonly depth: number;
  readonly inputSize: number;
  readonly imageOptions: Encoder['imageOptions'];
  private disposed = false;

  constructor(
    private readonly network: FeatureNetwork,
    readonly fingerprint: EncoderFingerprint,
    readonly batchSize: number,
    /** Append each cell's mean RGB (0..CELL_COLOUR_SCALE) to its vector (see EncoderVariant.cellColour). */
    private readonly cellColour = false,
  ) {
    const [height, width, depth] = fingerprint.outputShape;
    this.grid = { height, width };
    this.depth = depth;
    this.inputSize = fingerprint.inputSize;
    this.imageOptions = { size: fingerprint.inputSize, policy: fingerprint.resize };
  }

  get numVectors(): number {
    return this.grid.height * this.grid.width;
  }

  encode(batch: tf.Tensor4D): tf.Tensor3D {
    if (this.disposed) throw new Error('Encoder.encode: the encoder was disposed');
    const [b, h, w, c] = batch.shape;
    if (h !== this.inputSize || w !== this.inputSize || c !== 3) {
      throw new Error(`Encoder.encode: expected [B, ${this.inputSize}, ${this.inputSize}, 3], got [${batch.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const input = scaleToInputRange(tf.cast(batch, 'float32'), this.fingerprint.inputRange); // [B, S, S, 3]
      let maps: tf.Tensor4D = this.network.run(input); // [B, H, W, D']
      if (this.cellColour) {
        const { height, width } = this.grid;
        const pixels = tf.mul(tf.cast(batch, 'float32'), CELL_COLOUR_SCALE / 255) as tf.Tensor4D; // [B, S, S, 3]
        const colour = tf.avgPool(pixels, [h / height, w / width], [h / height, w / width], 'valid'); // [B, H, W, 3]
        maps = tf.concat4d([maps, colour], 3); // [B, H, W, D' + 3]
      }
      return tf.reshape(maps, [b, this.numVectors, this.depth]); // [B, L, D]
    });
  }

  async encodeImages(images: readonly PreparedImage[], batchSize = this.batchSize): Promise<Float32Array[]> {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`encodeImages: bad batch size ${batchSize}`);
    const out: Float32Array[] = [];
    const perImage = this.numVectors * this.depth;
    for (let start = 0; start < images.length; start += batchSize) {
      const chunk = images.slice(start, start + batchSize);
      const features = tf.tidy(() => this.encode(imagesToBatch(chunk))); // [b, L, D]
      const values = (await features.data()) as Float32Array;
      features.dispose();
      for (let i = 0; i < chunk.length; i++) out.push(values.slice(i * perImage, (i + 1) * perImage));
    }
    return out;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.network.dispose();
  }
}
