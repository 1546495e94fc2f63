/**
 * The convolution fence: a process whose native check covered the decoder alone (native-check.ts,
 * `work: 'decoder-only'`, what `train` asks for) has not shown that this CPU survives TensorFlow's
 * convolutions under the oneDNN setting it runs with, and a crash in native code cannot be caught.
 * So its convolution kernels throw a clear error instead of running.
 */
import * as tf from '../util/tf.js';

/** Every kernel that runs a convolution: Conv2D, DepthwiseConv2dNative, FusedConv2D, their gradients… */
const isConvolution = (kernelName: string): boolean => /conv/i.test(kernelName);

/**
 * Replaces `backendName`'s convolution kernels by ones that throw `message`. Returns the undo (the
 * stock kernels back), which the process that asked for the fence has no reason to call; tests do.
 */
export function fenceConvolutions(backendName: string, message: string): () => void {
  const stock = tf.getKernelsForBackend(backendName).filter((k) => isConvolution(k.kernelName));
  for (const kernel of stock) {
    tf.unregisterKernel(kernel.kernelName, backendName);
    tf.registerKernel({
      ...kernel,
      kernelFunc: () => {
        throw new Error(`${kernel.kernelName}: ${message}`);
      },
    });
  }
  return () => {
    for (const kernel of stock) {
      tf.unregisterKernel(kernel.kernelName, backendName);
      tf.registerKernel(kernel);
    }
  };
}
