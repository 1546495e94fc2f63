/**
 * Puts the weights of a checkpoint's encoder inside the checkpoint (`<checkpoint>/encoder/`), cut at
 * the annotation layer (only the weights it reads), so the checkpoint captions photos with no
 * download and no --encoder-weights. The copy must give the checkpoint's exact encoder fingerprint:
 *   npm run ship-encoder -- --checkpoint checkpoints/flickr8k --from ../shared/weights/mobilenet_v1_1.0_224
 * `--dtype float16` stores the weights at half the size; that is another encoder (its features differ
 * by float16 rounding), so it needs `--rebind`: the checkpoint is then bound to the float16 encoder's
 * fingerprint (measure first that its captions score the same: docs/flickr8k.md shows how).
 */
import { defineCommand } from '../command.js';

export const shipEncoderCommand = defineCommand({
  program: 'ship-encoder',
  scriptName: 'npm run ship-encoder --',
  description: "Copy a checkpoint's encoder weights (up to the annotation layer) into the checkpoint.",
  options: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'decoder checkpoint folder' })
      .option('from', { type: 'string', demandOption: true, describe: 'the encoder weights it was trained with (folder or URL)' })
      .option('dtype', {
        choices: ['float32', 'float16'] as const,
        default: 'float32' as const,
        describe: 'storage of the shipped weights (float16: half the size, another fingerprint)',
      })
      .option('rebind', {
        type: 'boolean',
        default: false,
        describe: "with --dtype float16: bind the checkpoint to the float16 encoder's fingerprint",
      })
      .check((a) => {
        if (a.dtype === 'float16' && !a.rebind)
          throw new Error(
            '--dtype float16 makes another encoder (float16-rounded features): add --rebind once you have measured that the checkpoint scores the same with it',
          );
        return true;
      }),
  run: async (args) => {
    const [
      { promises: fs },
      path,
      { selectBackend },
      { loadCheckpoint, disposeCheckpoint },
      { writeEncoderFolder },
      { SHIPPED_ENCODER_DIR },
      { writeFileAtomic },
    ] = await Promise.all([
      import('node:fs'),
      import('node:path'),
      import('../../backend/select.js'),
      import('../../checkpoint/checkpoint.js'),
      import('../../encoder/write-encoder-folder.js'),
      import('../../encoder/weights-source.js'),
      import('../../util/atomic-write.js'),
    ]);
    await selectBackend({ log: () => {} });
    const ckpt = await loadCheckpoint(args.checkpoint);
    disposeCheckpoint(ckpt);
    const out = path.join(args.checkpoint, SHIPPED_ENCODER_DIR);
    const { fingerprint, bytes } = await writeEncoderFolder(ckpt.encoder, args.from, out, {
      dtype: args.dtype,
      expect: args.rebind ? undefined : ckpt.encoder,
    });
    if (args.rebind) {
      const modelFile = path.join(args.checkpoint, 'model.json');
      const model = JSON.parse(await fs.readFile(modelFile, 'utf8')) as { encoder: string };
      const was = model.encoder;
      model.encoder = fingerprint.id;
      await writeFileAtomic(modelFile, `${JSON.stringify(model, null, 1)}\n`);
      process.stderr.write(`rebound ${modelFile}: encoder ${was} → ${fingerprint.id}\n`);
    }
    process.stderr.write(
      `wrote ${out}: ${(bytes / 1e6).toFixed(1)} MB, ${args.rebind ? 'the checkpoint now names this encoder' : `fingerprint matches ${ckpt.encoder}`}\n`,
    );
  },
});
