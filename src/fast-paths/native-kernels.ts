/**
 * TensorFlow ops that tfjs does not expose, run as private kernels on the native backend (tfjs-node):
 * 2-D matmuls (tfjs runs every matMul as BatchMatMulV2 on [1, M, K] views, two reshapes in, one out;
 * TensorFlow's MatMul takes the 2-D operands and the transpose flags directly), and the fused kernels
 * of the addon (`runNativeOp`).
 */
import * as tf from '../util/tf.js';

/** The part of tfjs-node's NodeJSKernelBackend these kernels use. */
interface NodeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_BOOL: number; TF_ATTR_INT: number; TF_FLOAT: number };
  executeSingleOutput(op: string, attrs: { name: string; type: number; value: unknown }[], inputs: tf.TensorInfo[]): tf.TensorInfo;
  executeMultipleOutputs(
    op: string,
    attrs: { name: string; type: number; value: unknown }[],
    inputs: tf.TensorInfo[],
    numOutputs: number,
  ): tf.TensorInfo[];
}

const MATMUL = 'AttendCaptionMatMul2D';

function attrsOf(node: NodeBackend, ...flags: [string, boolean][]) {
  return [
    { name: 'T', type: node.binding.TF_ATTR_TYPE, value: node.binding.TF_FLOAT },
    ...flags.map(([name, value]) => ({ name, type: node.binding.TF_ATTR_BOOL, value })),
  ];
}

function ensureMatMulKernel(): void {
  if (tf.getKernel(MATMUL, 'tensorflow')) return;
  tf.registerKernel({
    kernelName: MATMUL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const node = backend as unknown as NodeBackend;
      const flags = attrs as unknown as { transposeA: boolean; transposeB: boolean };
      return node.executeSingleOutput('MatMul', attrsOf(node, ['transpose_a', flags.transposeA], ['transpose_b', flags.transposeB]), [
        inputs['a']!,
        inputs['b']!,
      ]);
    },
  });
  if (!tf.getGradient(MATMUL)) {
    tf.registerGradient({
      kernelName: MATMUL,
      inputsToSave: ['a', 'b'],
      // C = op(A)·op(B): the four cases of transposed operands, as in tfjs's BatchMatMul gradient.
      gradFunc: (dy, saved, attrs) => {
        const [a, b] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        const { transposeA: ta, transposeB: tb } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
        if (!ta && !tb) return { a: () => nativeMatMul(d, b, false, true), b: () => nativeMatMul(a, d, true, false) };
        if (!ta && tb) return { a: () => nativeMatMul(d, b, false, false), b: () => nativeMatMul(d, a, true, false) };
        if (ta && !tb) return { a: () => nativeMatMul(b, d, false, true), b: () => nativeMatMul(a, d, false, false) };
        return { a: () => nativeMatMul(b, d, true, true), b: () => nativeMatMul(d, a, true, true) };
      },
    });
  }
}

/** op(a) · op(b) for 2-D float32 operands with TensorFlow's MatMul (native backend only). */
export function nativeMatMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  ensureMatMulKernel();
  return tf.engine().runKernel(MATMUL, { a, b }, { transposeA, transposeB } as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * Runs the TensorFlow op `tfOp` (e.g. one of the fused kernels, ../fused-kernels.ts) on the
 * native backend, as a tfjs kernel of the same name registered on first use. Inputs go to the op in
 * the order of `inputs`' keys; `intAttrs` become int attributes.
 */
export function runNativeOp(
  tfOp: string,
  inputs: Record<string, tf.Tensor>,
  numOutputs: number,
  intAttrs: Record<string, number> = {},
): tf.Tensor[] {
  if (!tf.getKernel(tfOp, 'tensorflow')) {
    const order = Object.keys(inputs);
    tf.registerKernel({
      kernelName: tfOp,
      backendName: 'tensorflow',
      kernelFunc: ({ inputs: given, backend, attrs }) => {
        const node = backend as unknown as NodeBackend;
        const tfAttrs = Object.entries(attrs ?? {}).map(([name, value]) => ({ name, type: node.binding.TF_ATTR_INT, value }));
        return node.executeMultipleOutputs(
          tfOp,
          tfAttrs,
          order.map((name) => given[name]!),
          numOutputs,
        );
      },
    });
  }
  const out = tf.engine().runKernel(tfOp, inputs, intAttrs as unknown as tf.NamedAttrMap);
  return Array.isArray(out) ? out : [out];
}
