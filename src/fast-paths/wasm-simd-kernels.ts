/**
 * Two batched matrix–vector products in WebAssembly SIMD, running in the WASM backend's own memory:
 *   weightedSum  v [G, K, R], x [G, R, C] → [G, K, C]   out_gk = Σ_r v_gkr x_gr   (vᵀX per image)
 *   rowDots      v [G, K, C], x [G, R, C] → [G, K, R]   out_gkr = v_gk · x_gr     (Xv per image)
 * The attended sum Σ_i α_i a_i is the first, its α gradient the second, and the score vector's
 * gradient (Σ_n dy_n x_n) the first with G = K = 1. tfjs runs these shapes as batched matmuls in a
 * naive loop (≈ 1.4 GFLOP/s) or as a broadcast product and a sum; here each is one pass over x.
 *
 * The kernels are written in WebAssembly text (simd-kernels.wat, compiled by `npm run build:wasm`
 * into simd-kernels.wasm.ts); the module imports the backend's memory, so they read and write
 * tensors where they are: no copies. Available when the engine validates
 * WebAssembly SIMD and the backend's memory is reachable; C must be a multiple of 4 (callers fall
 * back to stock ops otherwise). Sums run in a fixed order: the same inputs give the same bits.
 */
import * as tf from '../util/tf.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SIMD_KERNELS_WASM } from './simd-kernels.wasm.js';

/** The compiled module's bytes for plain or shared memory (atob: Node ≥ 16 and every browser). */
const moduleBytes = (shared: boolean): Uint8Array<ArrayBuffer> =>
  Uint8Array.from(atob(SIMD_KERNELS_WASM[shared ? 'shared' : 'plain']), (c) => c.charCodeAt(0));

type Kernel = (x: number, v: number, out: number, G: number, K: number, R: number, C: number) => void;
interface SimdExports {
  weightedSum: Kernel;
  rowDots: Kernel;
  columnSums: (x: number, out: number, G: number, R: number, C: number) => void;
  rowSums: (x: number, out: number, N: number, C: number) => void;
  adam: (value: number, grad: number, m: number, v: number, hyper: number, outValue: number, outM: number, outV: number, n: number) => void;
}

interface EmscriptenMemory {
  wasmMemory?: WebAssembly.Memory;
  asm?: { memory?: WebAssembly.Memory };
}

const instances = new WeakMap<WebAssembly.Memory, SimdExports | null>();

/** The kernels bound to `backend`'s memory, or null where WebAssembly SIMD or the memory is missing. */
function kernelsFor(backend: BackendWasm): SimdExports | null {
  const module = backend.wasm as unknown as EmscriptenMemory;
  const memory = module.wasmMemory ?? module.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = moduleBytes(shared);
    kernels = WebAssembly.validate(bytes)
      ? (new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as unknown as SimdExports)
      : null;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** Whether the SIMD kernels run on the active backend (WASM with SIMD). */
export function wasmSimdAvailable(): boolean {
  return tf.getBackend() === 'wasm' && kernelsFor(tf.backend() as unknown as BackendWasm) !== null;
}

interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}

const WEIGHTED_SUM = 'AttendCaptionWasmWeightedSum';
const ROW_DOTS = 'AttendCaptionWasmRowDots';

/** A tfjs kernel for `which`: inputs v and x, one float32 output of `outShape(v, x)`. */
function matrixVectorKernel(
  kernelName: string,
  outShape: (v: number[], x: number[]) => number[],
  which: 'weightedSum' | 'rowDots',
): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as BackendWasm;
      const { v, x } = inputs as unknown as { v: TensorInfo; x: TensorInfo };
      const [Gn, Rn, Cn] = x.shape as [number, number, number];
      const out = b.makeOutput(outShape(v.shape, x.shape), 'float32') as TensorInfo;
      kernelsFor(b)![which](
        b.getMemoryOffset(x.dataId),
        b.getMemoryOffset(v.dataId),
        b.getMemoryOffset(out.dataId),
        Gn,
        v.shape[1]!,
        Rn,
        Cn,
      );
      return out as tf.TensorInfo;
    },
  };
}

const ADAM = 'AttendCaptionWasmAdam';

const adamKernel: tf.KernelConfig = {
  kernelName: ADAM,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const b = backend as unknown as BackendWasm;
    const ins = inputs as unknown as Record<'value' | 'gradient' | 'm' | 'v' | 'hyper', TensorInfo>;
    const outs = [0, 1, 2].map(() => b.makeOutput(ins.value.shape, 'float32') as TensorInfo);
    const n = ins.value.shape.reduce((p, q) => p * q, 1);
    const at = (t: TensorInfo) => b.getMemoryOffset(t.dataId);
    kernelsFor(b)!.adam(at(ins.value), at(ins.gradient), at(ins.m), at(ins.v), at(ins.hyper), at(outs[0]!), at(outs[1]!), at(outs[2]!), n);
    return outs as tf.TensorInfo[];
  },
};

let registered = false;

/** Registers the kernels (and the weighted sum's gradient) once per process. */
function ensureRegistered(): void {
  if (registered) return;
  registered = true;
  const kernels = [
    matrixVectorKernel(WEIGHTED_SUM, (vs, xs) => [xs[0]!, vs[1]!, xs[2]!], 'weightedSum'),
    matrixVectorKernel(ROW_DOTS, (vs, xs) => [xs[0]!, vs[1]!, xs[1]!], 'rowDots'),
    adamKernel,
  ];
  for (const k of kernels) if (!tf.getKernel(k.kernelName, 'wasm')) tf.registerKernel(k);
  if (!tf.getGradient(WEIGHTED_SUM)) {
    tf.registerGradient({
      kernelName: WEIGHTED_SUM,
      inputsToSave: ['v', 'x'],
      gradFunc: (dy, saved) => {
        const [vs, xs] = saved as [tf.Tensor3D, tf.Tensor3D];
        return {
          v: () => simdRowDots(dy as tf.Tensor3D, xs), // [G, K, R]
          x: () => tf.matMul(tf.transpose(vs, [0, 2, 1]), dy as tf.Tensor3D), // [G, R, C]
        };
      },
    });
  }
}

/** v_gk · x_gr: v [G, K, C], x [G, R, C] (C % 4 = 0) → [G, K, R]. No gradient. */
export function simdRowDots(v: tf.Tensor3D, x: tf.Tensor3D): tf.Tensor3D {
  ensureRegistered();
  return tf.engine().runKernel<tf.Tensor3D>(ROW_DOTS, { v, x });
}

/**
 * Σ_r v_gkr x_gr: v [G, K, R], x [G, R, C] (C % 4 = 0) → [G, K, C]. Its gradient: for v, dy_gk · x_gr
 * (rowDots); for x (only if asked, e.g. never for fixed image features), vᵀ dy per image.
 */
export function simdWeightedSum(v: tf.Tensor3D, x: tf.Tensor3D): tf.Tensor3D {
  ensureRegistered();
  return tf.engine().runKernel<tf.Tensor3D>(WEIGHTED_SUM, { v, x });
}

/**
 * WASM's Sum kernel for float32 sums over one run of adjacent axes, x viewed as [G, R, C] summed over
 * R: SIMD column sums (C % 4 = 0) or row sums (C = 1, R % 4 = 0). tfjs's own Sum transposes the
 * summed axes to the end first, then sums each row in a scalar loop; `stock` runs every other case.
 */
export function simdSumKernel(stock: tf.KernelFunc): tf.KernelFunc {
  return (args) => {
    const b = args.backend as unknown as BackendWasm;
    const x = args.inputs['x'] as unknown as TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as { axis?: number | number[] | null; keepDims: boolean };
    const rank = x.shape.length;
    const asked = axis === null || axis === undefined ? [...x.shape.keys()] : Array.isArray(axis) ? axis : [axis];
    // An axis out of range is the stock kernel's to refuse.
    if (asked.some((a) => !Number.isInteger(a) || a < -rank || a >= rank)) return stock(args);
    const axes = [...new Set(asked.map((a) => (a < 0 ? a + rank : a)))].sort((p, q) => p - q);
    const first = axes[0];
    const last = axes.at(-1);
    const kernels =
      x.dtype === 'float32' && first !== undefined && last !== undefined && last - first === axes.length - 1 ? kernelsFor(b) : null;
    const size = (from: number, to: number) => x.shape.slice(from, to).reduce((p, q) => p * q, 1);
    const [G, R, C] = first === undefined || last === undefined ? [0, 0, 0] : [size(0, first), size(first, last + 1), size(last + 1, rank)];
    const simd = kernels !== null && G * R * C > 0 && (C % 4 === 0 || (C === 1 && R % 4 === 0));
    if (!simd) return stock(args);
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const out = b.makeOutput(outShape, 'float32') as TensorInfo;
    const [xp, op_] = [b.getMemoryOffset(x.dataId), b.getMemoryOffset(out.dataId)];
    if (C === 1) kernels.rowSums(xp, op_, G, R);
    else kernels.columnSums(xp, op_, G, R, C);
    return out as tf.TensorInfo;
  };
}

/**
 * One Adam update of a float32 variable of size n (n % 4 = 0) in one SIMD pass: (value, gradient,
 * m, v, hyper) → new (value, m, v); see AdamUpdate in src/fast-paths/dispatch.ts.
 */
export function simdAdamUpdate(
  value: tf.Tensor,
  gradient: tf.Tensor,
  m: tf.Tensor,
  v: tf.Tensor,
  hyper: tf.Tensor1D,
): [tf.Tensor, tf.Tensor, tf.Tensor] {
  ensureRegistered();
  const [next, nextM, nextV] = tf.engine().runKernel(ADAM, { value, gradient, m, v, hyper }) as unknown as tf.Tensor[];
  return [next!, nextM!, nextV!];
}
