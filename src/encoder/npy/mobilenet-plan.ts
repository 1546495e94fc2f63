/**
 * MobileNet v1's layer plan as TensorFlow (TF-slim / Object Detection API) names it, and as Keras names
 * it: `Conv2d_0` (3×3 stride-2 convolution) = `conv1`; `Conv2d_N_depthwise` / `_pointwise` =
 * `conv_dw_N` / `conv_pw_N`. ReLU6 after every convolution, "same" padding, stride 2 at Conv2d_0, 2, 4,
 * 6 and 12. The batch norms are folded into each convolution's kernel and bias.
 */

type ConvKind = 'full' | 'depthwise' | 'pointwise';

export interface PlannedConv {
  /** The TensorFlow scope, e.g. `Conv2d_3_depthwise`. */
  tfName: string;
  /** The Keras layer name, e.g. `conv_dw_3`. */
  kerasName: string;
  kind: ConvKind;
  kernelSize: number;
  stride: number;
}

const STRIDE_2 = new Set([0, 2, 4, 6, 12]);

/** The convolutions of MobileNet v1 from the input through block `last` (1..13), in order. */
export function mobilenetPlan(last: number): PlannedConv[] {
  const plan: PlannedConv[] = [{ tfName: 'Conv2d_0', kerasName: 'conv1', kind: 'full', kernelSize: 3, stride: 2 }];
  for (let n = 1; n <= last; n++) {
    const stride = STRIDE_2.has(n) ? 2 : 1;
    plan.push({ tfName: `Conv2d_${n}_depthwise`, kerasName: `conv_dw_${n}`, kind: 'depthwise', kernelSize: 3, stride });
    plan.push({ tfName: `Conv2d_${n}_pointwise`, kerasName: `conv_pw_${n}`, kind: 'pointwise', kernelSize: 1, stride: 1 });
  }
  return plan;
}

/** The Keras name of the ReLU6 after a convolution (the encoder's annotation layers are these). */
export const reluName = (conv: PlannedConv): string => `${conv.kerasName}_relu`;

/** The Keras name of SSD's first class head (after conv_pw_11), when `convert-weights --class-head` keeps it. */
export const SSD_CLASS_HEAD = 'class_predictor';
