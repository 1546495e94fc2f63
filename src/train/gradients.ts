/**
 * Training needs every op's gradient registered, and the captioning path does not: the package's own
 * tfjs (util/tf.ts: core, layers, converter, backends) leaves them out, so that installing it pulls in
 * no package with an install script. The `@tensorflow/tfjs` umbrella registers them (and the chained
 * tensor methods); tfjs-node loads it anyway. Imported by the training entry points only; the umbrella
 * is a development dependency, as training runs from a clone.
 */
import '@tensorflow/tfjs';
