/** A batch of examples → the tensors the loss takes. */
import * as tf from '../util/tf.js';
import type { Example } from './examples.js';

export interface FeatureSource {
  /** Annotation vectors of these images, `[keys.length, L, D]` flattened. */
  read(keys: readonly string[]): Promise<Float32Array>;
  readonly regions: number;
  readonly depth: number;
}

export interface BatchTensors {
  features: tf.Tensor3D; // [B, L, D]
  tokens: tf.Tensor2D; // [B, T + 1] int32, <pad>-filled
  mask: tf.Tensor2D; // [B, T + 1] 1 for real tokens
  /** Real target tokens in the batch (for tokens/s). */
  targetCount: number;
}

export async function batchTensors(batch: readonly Example[], source: FeatureSource): Promise<BatchTensors> {
  const B = batch.length;
  const width = Math.max(...batch.map((e) => e.ids.length)); // T + 1
  const ids = new Int32Array(B * width);
  const mask = new Float32Array(B * width);
  let targetCount = 0;
  batch.forEach((e, b) => {
    e.ids.forEach((id, t) => {
      ids[b * width + t] = id;
      mask[b * width + t] = 1;
    });
    targetCount += e.ids.length - 1;
  });
  const values = await source.read(batch.map((e) => e.key));
  return {
    features: tf.tensor3d(values, [B, source.regions, source.depth]), // [B, L, D]
    tokens: tf.tensor2d(ids, [B, width], 'int32'), // [B, T + 1]
    mask: tf.tensor2d(mask, [B, width]), // [B, T + 1]
    targetCount,
  };
}

export function disposeBatch(b: BatchTensors): void {
  tf.dispose([b.features, b.tokens, b.mask]);
}
