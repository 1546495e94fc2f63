import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import type { Encoder } from '../src/encoder/encoder.js';
import { loadEncoder } from '../src/encoder/load-encoder.js';
import { CELL_COLOUR_SCALE } from '../src/encoder/variants.js';
import { describeWithShared, sharedPath } from './shared.js';

describeWithShared('encoder variant mobilenet_v1_1.0+rgb (cell colour appended)', () => {
  let plain: Encoder;
  let rgb: Encoder;
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
    const source = sharedPath('weights', 'mobilenet_v1_1.0_224');
    plain = await loadEncoder({ source });
    rgb = await loadEncoder({ variant: 'mobilenet_v1_1.0+rgb', source });
  });

  it(`gives [B, 196, 515]: the plain 512 features, then each cell's mean RGB in 0..${CELL_COLOUR_SCALE}`, () => {
    expect(rgb.depth).toBe(515);
    expect(rgb.fingerprint.id).toMatch(/^mobilenet_v1_1\.0\+rgb\/conv_pw_11_relu\/14x14x515\//);
    expect(rgb.fingerprint.weightsSha256).toBe(plain.fingerprint.weightsSha256);
    // Left half red, right half blue: cells of column 0 are red, of column 13 blue.
    const image = tf.tidy(() => {
      const red = tf.tile(tf.tensor4d([255, 0, 0], [1, 1, 1, 3]), [1, 224, 112, 1]);
      const blue = tf.tile(tf.tensor4d([0, 0, 255], [1, 1, 1, 3]), [1, 224, 112, 1]);
      return tf.concat([red, blue], 2) as tf.Tensor4D; // [1, 224, 224, 3]
    });
    const a = rgb.encode(image);
    const b = plain.encode(image);
    const withColour = a.arraySync()[0]!;
    const without = b.arraySync()[0]!;
    expect(withColour[0]!.slice(512)).toEqual([CELL_COLOUR_SCALE, 0, 0]);
    expect(withColour[13]!.slice(512)).toEqual([0, 0, CELL_COLOUR_SCALE]);
    for (const l of [0, 97, 195]) {
      withColour[l]!.slice(0, 512).forEach((v, i) => expect(Math.abs(v - without[l]![i]!)).toBeLessThan(1e-5));
    }
    tf.dispose([image, a, b]);
  });
});
