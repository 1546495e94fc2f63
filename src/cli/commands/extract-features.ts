/**
 * Encode every image of a dataset, folder or list into a feature store (float16 annotation vectors):
 *   npm run extract-features -- --dataset my-captions.jsonl --out data/features/mine
 * The encoder is the shipped model's (its weights are inside the package) unless --variant names another.
 * Safe to kill and run again: it continues where it stopped.
 */
import { BACKEND_OPTION } from '../backend-option.js';
import { defineCommand, requireInteger } from '../command.js';
import { ENCODER_WEIGHTS_OPTION } from '../encoder-weights-option.js';

export const extractFeaturesCommand = defineCommand({
  program: 'extract-features',
  scriptName: 'npm run extract-features --',
  description: 'Encode images into a feature store (resumable).',
  options: (y) =>
    y
      .usage('$0 (--dataset FILE | --images DIR | --list FILE) --out DIR [options]')
      .option('dataset', { type: 'string', array: true, describe: 'captioned dataset (as for train; repeatable): keys are its image ids' })
      .option('format', { type: 'string', default: 'auto', describe: 'dataset format (auto: from the file)' })
      .option('image-dir', { type: 'string', array: true, describe: 'image folder of each --dataset, in order' })
      .option('val-dataset', { type: 'string', describe: 'a separate validation file (as for train)' })
      .option('val-image-dir', { type: 'string', describe: 'image folder of --val-dataset' })
      .option('images', { type: 'string', describe: 'folder of images: keys are file names' })
      .option('list', { type: 'string', describe: 'text file with one image path per line' })
      .option('out', { type: 'string', demandOption: true, describe: 'feature store folder (created or resumed)' })
      .option('encoder-weights', ENCODER_WEIGHTS_OPTION)
      .option('variant', {
        type: 'string',
        describe: "encoder variant (see README: encoders) [default: the shipped model's, with the weights inside the package]",
      })
      .option('batch-size', { type: 'number', default: 16 })
      .option('backend', BACKEND_OPTION)
      .option('progress', { type: 'boolean', default: true })
      .check((a) => {
        if ([a.dataset, a.images, a.list].filter(Boolean).length !== 1) throw new Error('give exactly one of --dataset, --images, --list');
        requireInteger(a, ['batch-size']);
        return true;
      }),
  run: async (args) => {
    const [{ selectBackend }, { requestedBackend }, { extractFeatures }, lists, { loadEncoder }, { weightsSource }, { UserError }] =
      await Promise.all([
        import('../../backend/select.js'),
        import('../backend-option.js'),
        import('../../data/extract-features.js'),
        import('../../data/image-list.js'),
        import('../../encoder/load-encoder.js'),
        import('../../encoder/weights-source.js'),
        import('../../util/user-error.js'),
      ]);
    const sources = await import('../../data/dataset-sources.js');
    const { variantNamed } = await import('../../encoder/variants.js');
    const { shippedEncoder } = await import('../../checkpoint/shipped.js');
    const { isHttp } = await import('../../encoder/model-files.js');
    const path = await import('node:path');
    // Default: the shipped model's encoder, read from the package (no download); another is one flag.
    const shipped = shippedEncoder();
    const variant = variantNamed(args.variant ?? shipped?.variant ?? 'mobilenet_v1_1.0'); // an unknown name is a one-line error before anything loads
    const source = weightsSource(args.encoderWeights, variant.name === shipped?.variant ? shipped.checkpoint : undefined);
    const log = (l: string) => process.stderr.write(`${l}\n`);
    await selectBackend({ requested: requestedBackend(args.backend) });
    const images = args.dataset
      ? await lists.imagesOfDataset(sources.datasetSourcesOf({ ...args, dataset: args.dataset }), log, args.format as 'auto')
      : args.images
        ? await lists.imagesInFolder(args.images)
        : await lists.imagesInList(args.list!);
    if (images.length === 0) throw new UserError('no images to encode');
    const encoder = await loadEncoder({ variant: variant.name, source, batchSize: args['batch-size'] });
    log(`encoder ${encoder.fingerprint.id}`);
    try {
      const weights = source === undefined ? variant.url : isHttp(source) ? source : path.resolve(source);
      const s = await extractFeatures(images, args.out, encoder, { batchSize: args['batch-size'], progress: args.progress, weights });
      const perImage = s.encoded ? ` (${((1000 * s.seconds) / s.encoded).toFixed(1)} ms/img)` : '';
      log(
        `${s.encoded} images encoded in ${s.seconds.toFixed(1)} s${perImage}, ${s.alreadyDone} done before, ${s.skipped.length} unreadable skipped`,
      );
      for (const sk of s.skipped.slice(0, 10)) log(`  skipped ${sk.reason}`);
      if (s.skipped.length > 10) log(`  … and ${s.skipped.length - 10} more (see ${args.out}/skipped.jsonl)`);
    } finally {
      encoder.dispose();
    }
  },
});
