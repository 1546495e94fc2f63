/** Gradient clipping by global norm (Pascanu et al. 2013): scale all gradients by min(1, max/‖g‖). */
import * as tf from '../util/tf.js';

export function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; norm: tf.Scalar } {
  return tf.tidy(() => {
    const squares = Object.values(grads).map((g) => tf.sum(tf.square(g)));
    const norm = tf.sqrt(tf.addN(squares)) as tf.Scalar; // []
    const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(norm, 1e-12))); // []
    const clipped: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) clipped[name] = tf.mul(g, scale);
    return { grads: clipped, norm };
  });
}
