/**
 * Kernels the WASM backend lacks or runs slowly, written in plain JS over the WASM heap.
 *
 * UnsortedSegmentSum: the gradient of `tf.gather` (the embedding lookup) needs it; without it, training
 * on WASM throws "Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'".
 *
 * Identity: WASM's copies the buffer, and it runs for every `tf.clone` and for every tensor the
 * gradient tape saves (tfjs clones each one): per training step ≈ 900 copies, among them the
 * [B, L, D] features twice per decoding step. This one shares the buffer, counted by reference, as the
 * CPU backend's Identity and WASM's own Reshape do (no WASM kernel writes into its inputs).
 *
 * Sum: float32 sums over adjacent axes as one SIMD pass (wasm-simd-kernels.ts) instead of
 * a transpose and a scalar loop: every bias gradient and broadcast gradient of a training step.
 */
import * as tf from '../util/tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdSumKernel } from './wasm-simd-kernels.js';

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

function unsortedSegmentSum(args: {
  inputs: { x?: TensorInfo; segmentIds?: TensorInfo };
  backend: unknown;
  attrs?: { numSegments?: number };
}): TensorInfo {
  const { x, segmentIds } = args.inputs;
  const numSegments = args.attrs?.numSegments;
  if (!x || !segmentIds || numSegments === undefined) throw new Error('UnsortedSegmentSum: bad arguments');
  const backend = args.backend as BackendWasm;
  const inner = x.shape.slice(segmentIds.shape.length).reduce((a, b) => a * b, 1);
  const outShape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const ids = backend.readSync(segmentIds.dataId) as Int32Array | Float32Array;
  const xs = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const seg = ids[i]!;
    if (seg < 0 || seg >= numSegments) continue; // TF drops out-of-range ids
    const src = i * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += xs[src + j]!;
  }
  return backend.makeOutput(outShape, x.dtype, undefined, out) as TensorInfo;
}

function identity(args: { inputs: { x?: TensorInfo }; backend: unknown }): TensorInfo {
  const { x } = args.inputs;
  if (!x) throw new Error('Identity: bad arguments');
  (args.backend as BackendWasm).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

let registered = false;

/** Registers the missing kernels once per process (idempotent). */
export function registerWasmKernels(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('Identity', 'wasm')) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: identity as unknown as tf.KernelFunc });
  const stockSum = tf.getKernel('Sum', 'wasm');
  if (stockSum) {
    tf.unregisterKernel('Sum', 'wasm');
    tf.registerKernel({ ...stockSum, kernelFunc: simdSumKernel(stockSum.kernelFunc) });
  }
  if (tf.getKernel('UnsortedSegmentSum', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
  });
}
