/**
 * ResNet-50 v2 (TF-slim `resnet_v2_50`, pre-activation) from `.npy` tensors, root and blocks 1–3, as
 * Keras layers for the tfjs layers format. The wiring, as TF-slim builds it (../shared/weights/README.md):
 *
 *   root:  pad 3 → conv1 7×7 stride 2 VALID (bias, no activation) → max-pool 3×3 stride 2 SAME
 *   unit:  preact = relu(x·mul + add)           (the folded batch norm: a 1×1 depthwise conv here)
 *          r = relu(conv1 1×1 (preact)); r = relu(conv2 3×3 (r)); r = conv3 1×1 (r)
 *          shortcut = conv 1×1 (preact) in a block's first unit, else x (max-pool 1×1 stride 2 where
 *          the unit strides); out = r + shortcut
 *   the last unit of blocks 1, 2 and 3 has stride 2: conv2's input is padded by 1 and convolved VALID.
 *
 * The annotation layer `block3_unit6_preact_relu` is block 3 unit 5's output through unit 6's
 * pre-activation: 14×14×1024 at 224 px. Kernels arrive OHWI and become HWIO.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FileInputError } from '../../util/user-error.js';
import { inputLayer, type KerasLayerSpec, type NamedWeight } from './layers-model.js';
import { ohwiToHwio } from './mobilenet-from-npy.js';
import { readNpy, type NpyArray } from './read-npy.js';

/** Units per block of ResNet-50 (blocks 1–3; block 4, with 3 units, is not part of the encoder). */
export const RESNET50_UNITS = [3, 4, 6] as const;

/** The Keras layer whose output is the 14×14×1024 annotation grid. */
export const RESNET_ANNOTATION_LAYER = 'block3_unit6_preact_relu';

const PREFIX = 'resnet_v2_50';

class Builder {
  readonly layers: KerasLayerSpec[] = [inputLayer('input_1')];
  readonly weights: NamedWeight[] = [];

  constructor(
    private readonly dir: string,
    private readonly files: ReadonlySet<string>,
  ) {}

  private async npy(name: string): Promise<NpyArray> {
    const file = `${PREFIX}_${name}.npy`;
    if (!this.files.has(file)) throw new FileInputError(this.dir, `has no ${file}`);
    return readNpy(path.join(this.dir, file));
  }

  add(className: string, name: string, config: Record<string, unknown>, inputs: string[]): string {
    this.layers.push({ className, name, config, inputs });
    return name;
  }

  /** A convolution with bias from `<scope>_weights.npy` (OHWI) and `<scope>_Conv2D_bias.npy`. */
  async conv(name: string, scope: string, input: string, stride: number, padding: 'same' | 'valid'): Promise<string> {
    const kernel = await this.npy(`${scope}_weights`);
    const bias = await this.npy(`${scope}_Conv2D_bias`);
    const [out, kh, kw] = kernel.shape as [number, number, number, number];
    if (kernel.shape.length !== 4 || bias.shape[0] !== out)
      throw new FileInputError(this.dir, `${scope}: kernel [${kernel.shape.join(', ')}] and bias [${bias.shape.join(', ')}] do not fit`);
    const hwio = ohwiToHwio(kernel);
    this.weights.push(
      { name: `${name}/kernel`, shape: hwio.shape, data: hwio.data },
      { name: `${name}/bias`, shape: bias.shape, data: bias.data },
    );
    const config = {
      filters: out,
      kernel_size: [kh, kw],
      strides: [stride, stride],
      padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'linear',
      use_bias: true,
    };
    return this.add('Conv2D', name, config, [input]);
  }

  /** relu(x·mul + add), the unit's folded pre-activation batch norm, as a 1×1 depthwise convolution. */
  async preact(name: string, scope: string, input: string): Promise<string> {
    const mul = await this.npy(`${scope}_preact_FusedBatchNorm_mul_0_param`);
    const add = await this.npy(`${scope}_preact_FusedBatchNorm_add_param`);
    const channels = mul.shape[0]!;
    this.weights.push(
      { name: `${name}/depthwise_kernel`, shape: [1, 1, channels, 1], data: mul.data },
      { name: `${name}/bias`, shape: [channels], data: add.data },
    );
    const config = {
      kernel_size: [1, 1],
      strides: [1, 1],
      padding: 'valid',
      depth_multiplier: 1,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'linear',
      use_bias: true,
    };
    this.add('DepthwiseConv2D', name, config, [input]);
    return this.relu(name);
  }

  relu(input: string): string {
    return this.add('Activation', `${input}_relu`, { activation: 'relu' }, [input]);
  }

  pad(name: string, input: string, p: number): string {
    return this.add(
      'ZeroPadding2D',
      name,
      {
        padding: [
          [p, p],
          [p, p],
        ],
        data_format: 'channels_last',
      },
      [input],
    );
  }

  maxPool(name: string, input: string, size: number, stride: number, padding: 'same' | 'valid'): string {
    return this.add('MaxPooling2D', name, { pool_size: [size, size], strides: [stride, stride], padding, data_format: 'channels_last' }, [
      input,
    ]);
  }
}

/** One bottleneck unit; returns the name of its output. */
async function unit(b: Builder, block: number, u: number, units: number, x: string): Promise<string> {
  const scope = `block${block}_unit_${u}_bottleneck_v2`;
  const name = `block${block}_unit${u}`;
  const stride = u === units ? 2 : 1;
  const preact = await b.preact(`${name}_preact`, scope, x);
  const r1 = b.relu(await b.conv(`${name}_conv1`, `${scope}_conv1`, preact, 1, 'valid'));
  const r2in = stride === 2 ? b.pad(`${name}_conv2_pad`, r1, 1) : r1;
  const r2 = b.relu(await b.conv(`${name}_conv2`, `${scope}_conv2`, r2in, stride, stride === 2 ? 'valid' : 'same'));
  const r3 = await b.conv(`${name}_conv3`, `${scope}_conv3`, r2, 1, 'valid');
  const shortcut =
    u === 1
      ? await b.conv(`${name}_shortcut`, `${scope}_shortcut`, preact, 1, 'valid')
      : stride === 2
        ? b.maxPool(`${name}_shortcut`, x, 1, 2, 'valid')
        : x;
  return b.add('Add', `${name}_add`, {}, [r3, shortcut]);
}

/** Keras layers and weights of ResNet-50 v2 up to `block3_unit6_preact_relu`, from the `.npy` files in `dir`. */
export async function resnetFromNpy(dir: string): Promise<{ layers: KerasLayerSpec[]; weights: NamedWeight[] }> {
  let files: string[];
  try {
    files = (await fs.readdir(dir)).filter((f) => f.endsWith('.npy'));
  } catch {
    throw new FileInputError(dir, 'is not a readable folder of .npy files');
  }
  const b = new Builder(dir, new Set(files));
  let x = b.maxPool('pool1', await b.conv('conv1', 'conv1', b.pad('conv1_pad', 'input_1', 3), 2, 'valid'), 3, 2, 'same');
  for (const [i, units] of RESNET50_UNITS.entries()) {
    const block = i + 1;
    const last = block === 3 ? units - 1 : units; // block 3 stops after unit 5 …
    for (let u = 1; u <= last; u++) x = await unit(b, block, u, units, x);
  }
  await b.preact('block3_unit6_preact', 'block3_unit_6_bottleneck_v2', x); // … then unit 6's pre-activation
  return { layers: b.layers, weights: b.weights };
}
