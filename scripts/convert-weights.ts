/**
 * Converts a CNN published as `.npy` tensors into the tfjs layers format the encoder loads:
 *   npm run convert-weights -- --from ../shared/weights/ssd_mobilenet_v1_coco_npy --out data/encoders/mobilenet_v1_1.0_coco
 * then `--variant mobilenet_v1_1.0_coco --mobilenet data/encoders/mobilenet_v1_1.0_coco`.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { reportError } from '../src/cli/exit-codes.js';
import { kerasModelTopology, writeLayersModel } from '../src/encoder/npy/layers-model.js';
import { mobilenetFromNpy } from '../src/encoder/npy/mobilenet-from-npy.js';

async function main(): Promise<number> {
  const args = await yargs(hideBin(process.argv))
    .scriptName('npm run convert-weights --')
    .usage('$0 --from DIR --out DIR [--dtype float16]')
    .option('from', { type: 'string', demandOption: true, describe: 'folder of .npy tensors (SSD MobileNet v1 COCO naming)' })
    .option('out', { type: 'string', demandOption: true, describe: 'folder to write model.json and weights.bin into' })
    .option('dtype', { choices: ['float32', 'float16'] as const, default: 'float32' as const, describe: 'storage of the weights' })
    .option('last-block', { type: 'number', default: 11, describe: 'keep MobileNet blocks 1..N (11: conv_pw_11, the 14×14×512 layer)' })
    .strict()
    .help()
    .parseAsync();
  const { layers, weights } = await mobilenetFromNpy(args.from, { last: args['last-block'] });
  const bytes = await writeLayersModel(args.out, kerasModelTopology('mobilenet_v1_coco', layers), weights, args.dtype);
  process.stderr.write(`wrote ${args.out}: ${layers.length - 1} layers, ${weights.length} weights, ${(bytes / 1e6).toFixed(1)} MB (${args.dtype})\n`);
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => (process.exitCode = reportError(err, 'convert-weights')),
);
