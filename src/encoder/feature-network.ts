/** A loaded MobileNet cut (layers) or tapped (graph) at its annotation layer. */
import type * as tf from '../util/tf.js';

export interface FeatureNetwork {
  /** [B, S, S, 3] already in the network's input range → [B, H, W, D]. Wrap calls in tf.tidy. */
  run(input: tf.Tensor4D): tf.Tensor4D;
  /**
   * [H, W, D] of `run`'s output for an S×S input, worked out from the layers' shapes without running a
   * kernel (a Keras model, whatever input size it declares); absent or undefined when only running it tells.
   */
  outputShapeAt?(inputSize: number): readonly [number, number, number] | undefined;
  /** SHA-256 of the stored weights `run` reads (see fingerprint.ts). */
  readonly weightsSha256: string;
  dispose(): void;
}
