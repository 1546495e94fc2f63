/** `tf.tidy` for functions returning typed records of tensors (tf.tidy's own typing wants index signatures). */
import * as tf from '../util/tf.js';

/** Runs `fn` in a tidy scope: every tensor it makes is disposed, except those reachable from its result. */
export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
