/**
 * MobileNet v1 from `.npy` tensors (TFLite float models, batch norm folded: one kernel and one bias per
 * convolution, see ../shared/weights/README.md) → Keras layers for the tfjs layers format. Kernels come
 * as OHWI `[out, kh, kw, in]` (depthwise `[1, kh, kw, C]`); tfjs wants HWIO `[kh, kw, in, out]`
 * (depthwise `[kh, kw, C, 1]`).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileInputError } from '../../util/user-error.js';
import { inputLayer, type KerasLayerSpec, type NamedWeight } from './layers-model.js';
import { mobilenetPlan, reluName, SSD_CLASS_HEAD, type PlannedConv } from './mobilenet-plan.js';
import { readNpy, type NpyArray } from './read-npy.js';

/** The file-name prefix of a TensorFlow scope's folded kernel (`…_mul…`) or bias (`…_sub…`). */
export const npyPrefix = (scope: string, tfName: string, part: 'mul' | 'sub'): string => `${scope}_${tfName}_BatchNorm_batchnorm_${part}`;

/** The prefix the SSD MobileNet v1 COCO files share. */
export const SSD_MOBILENET_SCOPE = 'FeatureExtractor_MobilenetV1_MobilenetV1';

/** OHWI → HWIO: out[h][w][i][o] = in[o][h][w][i]. */
export function ohwiToHwio(a: NpyArray): NpyArray {
  const [o, h, w, i] = a.shape as [number, number, number, number];
  const out = new Float32Array(a.data.length);
  for (let oo = 0; oo < o; oo++)
    for (let hh = 0; hh < h; hh++)
      for (let ww = 0; ww < w; ww++)
        for (let ii = 0; ii < i; ii++) out[((hh * w + ww) * i + ii) * o + oo] = a.data[((oo * h + hh) * w + ww) * i + ii]!;
  return { shape: [h, w, i, o], data: out };
}

async function findNpy(dir: string, files: readonly string[], prefix: string): Promise<NpyArray> {
  // `Conv2d_1_…` must not match `Conv2d_10_…`: the prefix ends at `_mul`/`_sub`, followed by `_` or `.`.
  const matches = files.filter((f) => f.startsWith(prefix) && /^[._]/.test(f.slice(prefix.length)));
  if (matches.length !== 1) {
    throw new FileInputError(
      dir,
      matches.length ? `has ${matches.length} files for ${prefix}*.npy, expected one` : `has no ${prefix}*.npy`,
    );
  }
  return readNpy(path.join(dir, matches[0]!));
}

function kerasConv(conv: PlannedConv, input: string, channels: number): KerasLayerSpec {
  const common = {
    kernel_size: [conv.kernelSize, conv.kernelSize],
    strides: [conv.stride, conv.stride],
    padding: 'same',
    data_format: 'channels_last',
    dilation_rate: [1, 1],
    activation: 'linear',
    use_bias: true,
  };
  return conv.kind === 'depthwise'
    ? { className: 'DepthwiseConv2D', name: conv.kerasName, config: { ...common, depth_multiplier: 1 }, inputs: [input] }
    : { className: 'Conv2D', name: conv.kerasName, config: { ...common, filters: channels }, inputs: [input] };
}

/**
 * Keras layers and weights of MobileNet v1 through block `last`, read from the `.npy` files in `dir`;
 * with `classHead`, SSD's first class head after it (a 1×1 convolution giving per cell 3 anchors × 91
 * class logits, anchor-major; `BoxPredictor_0_ClassPredictor_*`), which reads Conv2d_11.
 */
export async function mobilenetFromNpy(
  dir: string,
  options: { scope?: string; last?: number; classHead?: boolean } = {},
): Promise<{ layers: KerasLayerSpec[]; weights: NamedWeight[] }> {
  const scope = options.scope ?? SSD_MOBILENET_SCOPE;
  let files: string[];
  try {
    files = (await fs.readdir(dir)).filter((f) => f.endsWith('.npy'));
  } catch {
    throw new FileInputError(dir, 'is not a readable folder of .npy files');
  }
  const layers: KerasLayerSpec[] = [inputLayer('input_1')];
  const weights: NamedWeight[] = [];
  let previous = 'input_1';
  let channels = 3;
  for (const conv of mobilenetPlan(options.last ?? 11)) {
    const kernel = await findNpy(dir, files, npyPrefix(scope, conv.tfName, 'mul'));
    const bias = await findNpy(dir, files, npyPrefix(scope, conv.tfName, 'sub'));
    const [out, kh, kw, inC] = kernel.shape as [number, number, number, number];
    const where = `${dir} (${conv.tfName})`;
    const expectIn = conv.kind === 'depthwise' ? 1 : channels;
    const outC = conv.kind === 'depthwise' ? inC : out;
    if (
      kernel.shape.length !== 4 ||
      kh !== conv.kernelSize ||
      kw !== conv.kernelSize ||
      (conv.kind === 'depthwise' ? out !== 1 || inC !== channels : inC !== expectIn)
    ) {
      throw new FileInputError(
        where,
        `kernel has shape [${kernel.shape.join(', ')}], which does not fit MobileNet v1 after ${channels} channels`,
      );
    }
    if (bias.shape.length !== 1 || bias.shape[0] !== outC)
      throw new FileInputError(where, `bias has shape [${bias.shape.join(', ')}], expected [${outC}]`);
    const hwio = ohwiToHwio(kernel); // depthwise [1, kh, kw, C] → [kh, kw, C, 1]
    layers.push(kerasConv(conv, previous, outC));
    layers.push({ className: 'Activation', name: reluName(conv), config: { activation: 'relu6' }, inputs: [conv.kerasName] });
    weights.push({
      name: `${conv.kerasName}/${conv.kind === 'depthwise' ? 'depthwise_kernel' : 'kernel'}`,
      shape: hwio.shape,
      data: hwio.data,
    });
    weights.push({ name: `${conv.kerasName}/bias`, shape: bias.shape, data: bias.data });
    previous = reluName(conv);
    channels = outC;
  }
  if (options.classHead) {
    if ((options.last ?? 11) !== 11) throw new FileInputError(dir, "SSD's class head reads Conv2d_11: use --last-block 11");
    const kernel = await findNpy(dir, files, 'BoxPredictor_0_ClassPredictor_Conv2D');
    const bias = await findNpy(dir, files, 'BoxPredictor_0_ClassPredictor_biases');
    const [out, kh, kw, inC] = kernel.shape as [number, number, number, number];
    if (kernel.shape.length !== 4 || kh !== 1 || kw !== 1 || inC !== channels)
      throw new FileInputError(dir, `class head kernel has shape [${kernel.shape.join(', ')}], expected [K, 1, 1, ${channels}]`);
    if (bias.shape.length !== 1 || bias.shape[0] !== out)
      throw new FileInputError(dir, `class head bias has shape [${bias.shape.join(', ')}], expected [${out}]`);
    const head: PlannedConv = {
      tfName: 'BoxPredictor_0_ClassPredictor',
      kerasName: SSD_CLASS_HEAD,
      kind: 'pointwise',
      kernelSize: 1,
      stride: 1,
    };
    layers.push(kerasConv(head, previous, out)); // logits [B, H, W, anchors × 91]
    weights.push({ name: `${SSD_CLASS_HEAD}/kernel`, shape: [1, 1, inC, out], data: ohwiToHwio(kernel).data });
    weights.push({ name: `${SSD_CLASS_HEAD}/bias`, shape: bias.shape, data: bias.data });
  }
  return { layers, weights };
}
