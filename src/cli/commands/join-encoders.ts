/**
 * Makes a joined encoder (src/encoder/join-networks.ts): two trunks run side by side on the photo, the
 * second's finer grid averaged onto the first's, concatenated per cell, as one layers model:
 *   npm run join-encoders -- --variant mobilenet_v1_1.0_pw12+coco --first checkpoints/everyday/encoder \
 *     --second data/encoders/mobilenet_v1_1.0_coco --out data/encoders/mobilenet_v1_1.0_pw12+coco
 * then `extract-features --variant mobilenet_v1_1.0_pw12+coco --encoder-weights <out>`.
 */
import { defineCommand } from '../command.js';

export const joinEncodersCommand = defineCommand({
  program: 'join-encoders',
  scriptName: 'npm run join-encoders --',
  description: "Join two encoders' networks into one whose annotation vectors are both, per cell of the first's grid.",
  options: (y) =>
    y
      .option('variant', {
        type: 'string',
        demandOption: true,
        describe: 'the joined encoder to make (one with two parts in the variants table)',
      })
      .option('first', { type: 'string', demandOption: true, describe: "the first part's weights (folder holding model.json)" })
      .option('second', { type: 'string', demandOption: true, describe: "the second part's weights (folder holding model.json)" })
      .option('out', { type: 'string', demandOption: true, describe: 'folder to write model.json and weights.bin into (replaced)' }),
  run: async (args) => {
    const [{ selectBackend }, { variantNamed }, { writeJoinedEncoder }, { UserError }] = await Promise.all([
      import('../../backend/select.js'),
      import('../../encoder/variants.js'),
      import('../../encoder/write-joined-encoder.js'),
      import('../../util/user-error.js'),
    ]);
    const variant = variantNamed(args.variant);
    if (!variant.joins) throw new UserError(`--variant: ${variant.name} is not a joined encoder (it has no two parts)`);
    await selectBackend({ log: () => {} });
    const { fingerprint, bytes } = await writeJoinedEncoder(variant.name, args.first, args.second, args.out);
    process.stderr.write(`wrote ${args.out}: ${(bytes / 1e6).toFixed(1)} MB, encoder ${fingerprint.id}\n`);
  },
});
