/**
 * TensorFlow.js as this package runs it: the core ops, the layers and converter model loaders, and the
 * CPU and WebGL backends: what the `@tensorflow/tfjs` umbrella re-exports, less `tfjs-data`, the
 * chained tensor methods and the gradients (training imports those: train/gradients.ts). The umbrella
 * also pulls in core-js, whose install script every consumer of this package would be asked to approve.
 * One tfjs-core instance is shared with the host app and with tfjs-node.
 */
export * from '@tensorflow/tfjs-core';
export * from '@tensorflow/tfjs-layers';
export * from '@tensorflow/tfjs-converter';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
