/**
 * Photos → the network's input: PreparedImage[] → a [B, S, S, 3] float32 tensor of 0..255 RGB, then
 * scaled linearly onto the range the MobileNet was trained on (Keras [-1, 1], TF-Hub [0, 1]).
 */
import * as tf from '../util/tf.js';
import type { PreparedImage } from '../image/types.js';

/** Stacks prepared photos (all `size`×`size`) into one batch: [B, S, S, 3] float32 in 0..255. */
export function imagesToBatch(images: readonly PreparedImage[]): tf.Tensor4D {
  const first = images[0];
  if (!first) throw new Error('imagesToBatch: no images');
  const size = first.size;
  const perImage = size * size * 3;
  const values = new Float32Array(images.length * perImage);
  images.forEach((image, b) => {
    if (image.size !== size || image.pixels.length !== perImage) {
      throw new Error(`imagesToBatch: ${image.file} is ${image.size}px (${image.pixels.length} bytes), expected ${size}px`);
    }
    values.set(image.pixels, b * perImage);
  });
  return tf.tensor4d(values, [images.length, size, size, 3], 'float32'); // [B, S, S, 3]
}

/** x in 0..255 → lo + x·(hi − lo)/255; for [-1, 1] that is x/127.5 − 1. */
export function scaleToInputRange(batch: tf.Tensor4D, [lo, hi]: readonly [number, number]): tf.Tensor4D {
  return tf.tidy(() => tf.add(tf.mul(batch, (hi - lo) / 255), lo)); // [B, S, S, 3]
}
