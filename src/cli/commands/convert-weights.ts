/**
 * Converts a CNN published as `.npy` tensors into the tfjs layers format the encoder loads:
 *   npm run convert-weights -- --from ../shared/weights/ssd_mobilenet_v1_coco_npy --out data/encoders/mobilenet_v1_1.0_coco
 * then `--variant mobilenet_v1_1.0_coco --encoder-weights data/encoders/mobilenet_v1_1.0_coco`;
 *   npm run convert-weights -- --arch resnet_v2_50 --from ../shared/weights/resnet_v2_50_npy --out data/encoders/resnet_v2_50
 */
import { defineCommand, requireInteger } from '../command.js';

export const convertWeightsCommand = defineCommand({
  program: 'convert-weights',
  scriptName: 'npm run convert-weights --',
  description: 'Convert MobileNet v1 .npy tensors (TensorFlow naming, batch norm folded) to a tfjs layers model.',
  options: (y) =>
    y
      .option('arch', {
        choices: ['mobilenet_v1', 'resnet_v2_50'] as const,
        default: 'mobilenet_v1' as const,
        describe: 'the network the tensors belong to',
      })
      .option('from', {
        type: 'string',
        demandOption: true,
        describe: 'folder of .npy tensors (TF Object Detection MobileNet v1, or TF-slim resnet_v2_50 naming)',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'folder to write model.json and weights.bin into' })
      .option('dtype', { choices: ['float32', 'float16'] as const, default: 'float32' as const, describe: 'storage of the weights' })
      .option('class-head', {
        type: 'boolean',
        default: false,
        describe: "mobilenet_v1 from SSD: keep SSD's first class head after conv_pw_11 (the detector tagger)",
      })
      .option('last-block', {
        type: 'number',
        default: 11,
        describe: 'mobilenet_v1: keep blocks 1..N (11: conv_pw_11, the 14×14×512 layer)',
      })
      .check((a) => {
        requireInteger(a, ['last-block']);
        if (a['last-block'] > 13) throw new Error(`--last-block must be at most 13, got ${a['last-block']}`);
        return true;
      }),
  run: async (args) => {
    const [{ kerasModelTopology, writeLayersModel }, { mobilenetFromNpy }, { resnetFromNpy }] = await Promise.all([
      import('../../encoder/npy/layers-model.js'),
      import('../../encoder/npy/mobilenet-from-npy.js'),
      import('../../encoder/npy/resnet-from-npy.js'),
    ]);
    const { layers, weights } =
      args.arch === 'resnet_v2_50'
        ? await resnetFromNpy(args.from)
        : await mobilenetFromNpy(args.from, { last: args['last-block'], classHead: args['class-head'] });
    const bytes = await writeLayersModel(args.out, kerasModelTopology(args.arch, layers), weights, args.dtype);
    process.stderr.write(
      `wrote ${args.out}: ${layers.length - 1} layers, ${weights.length} weights, ${(bytes / 1e6).toFixed(1)} MB (${args.dtype})\n`,
    );
  },
});
