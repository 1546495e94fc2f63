/**
 * Puts the weights of a checkpoint's encoder inside the checkpoint (`<checkpoint>/encoder/`), cut at
 * the annotation layer (only the weights it reads), so the checkpoint captions photos with no
 * download and no --mobilenet. The copy must give the checkpoint's exact encoder fingerprint:
 *   npm run ship-encoder -- --checkpoint checkpoints/flickr8k --from ../shared/weights/mobilenet_v1_1.0_224
 */
import { main } from '../src/cli/command.js';

await main({
  program: 'ship-encoder',
  scriptName: 'npm run ship-encoder --',
  description: "Copy a checkpoint's encoder weights (up to the annotation layer) into the checkpoint.",
  options: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'decoder checkpoint folder' })
      .option('from', { type: 'string', demandOption: true, describe: 'the encoder weights it was trained with (folder or URL)' }),
  run: async (args) => {
    const [{ promises: fs }, path, { selectBackend }, { loadCheckpoint, disposeCheckpoint }, { readArtifacts }, { cutAtLayer }, { modelFilesAt }, fp, { loadEncoder }, { SHIPPED_ENCODER_DIR }, { writeFileAtomic }, { variantNamed }] =
      await Promise.all([
        import('node:fs'),
        import('node:path'),
        import('../src/backend/select.js'),
        import('../src/checkpoint/checkpoint.js'),
        import('../src/encoder/artifacts.js'),
        import('../src/encoder/cut-layers.js'),
        import('../src/encoder/model-files.js'),
        import('../src/encoder/fingerprint.js'),
        import('../src/encoder/load-encoder.js'),
        import('../src/encoder/weights-source.js'),
        import('../src/util/atomic-write.js'),
        import('../src/encoder/variants.js'),
      ]);
    await selectBackend({ log: () => {} });
    const ckpt = await loadCheckpoint(args.checkpoint);
    disposeCheckpoint(ckpt);
    const config = fp.encoderConfigOf(ckpt.encoder);
    if (variantNamed(config.variant).format !== 'layers') throw new Error(`ship-encoder handles layers-format encoders; ${config.variant} is not one`);
    const files = modelFilesAt(args.from);
    const artifacts = await readArtifacts(files, { select: (json) => cutAtLayer(json, config.layer, files.modelJsonLocation) });
    const out = path.join(args.checkpoint, SHIPPED_ENCODER_DIR);
    const bytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
    await writeFileAtomic(path.join(out, 'weights.bin'), bytes);
    await writeFileAtomic(path.join(out, 'model.json'), `${JSON.stringify({ format: 'layers-model', modelTopology: artifacts.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }] })}\n`);
    const encoder = await loadEncoder({ ...config, source: out });
    try {
      fp.assertSameEncoder(ckpt.encoder, encoder.fingerprint);
    } catch (err) {
      await fs.rm(out, { recursive: true, force: true });
      throw err;
    } finally {
      encoder.dispose();
    }
    process.stderr.write(`wrote ${out}: ${(bytes.byteLength / 1e6).toFixed(1)} MB, fingerprint matches ${ckpt.encoder}\n`);
  },
});
