/**
 * Encode every image of a dataset, folder or list into a feature store (float16 annotation vectors):
 *   npm run extract-features -- --dataset data/shapes/captions.jsonl --out data/features/shapes --mobilenet DIR
 * Safe to kill and run again: it continues where it stopped.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { selectBackend } from '../src/backend/select.js';
import { BACKEND_OPTION, requestedBackend } from '../src/cli/backend-option.js';
import { reportError } from '../src/cli/exit-codes.js';
import { extractFeatures } from '../src/data/extract-features.js';
import { imagesInFolder, imagesInList, imagesOfDataset, type KeyedImage } from '../src/data/image-list.js';
import { loadEncoder } from '../src/encoder/encoder.js';
import { ENCODER_VARIANTS } from '../src/encoder/variants.js';
import { UserError } from '../src/util/user-error.js';

async function main(): Promise<number> {
  const args = await yargs(hideBin(process.argv))
    .scriptName('npm run extract-features --')
    .usage('$0 (--dataset FILE | --images DIR | --list FILE) --out DIR [options]')
    .option('dataset', { type: 'string', describe: 'captioned dataset file: keys are its image ids' })
    .option('images', { type: 'string', describe: 'folder of images: keys are file names' })
    .option('list', { type: 'string', describe: 'text file with one image path per line' })
    .option('out', { type: 'string', demandOption: true, describe: 'feature store folder (created or resumed)' })
    .option('mobilenet', { type: 'string', describe: "MobileNet weights folder or URL [default: the variant's online copy]" })
    .option('variant', { choices: Object.keys(ENCODER_VARIANTS), default: 'mobilenet_v1_1.0' })
    .option('batch-size', { type: 'number', default: 16 })
    .option('backend', BACKEND_OPTION)
    .option('progress', { type: 'boolean', default: true })
    .check((a) => {
      if ([a.dataset, a.images, a.list].filter(Boolean).length !== 1) throw new Error('give exactly one of --dataset, --images, --list');
      if (!Number.isInteger(a['batch-size']) || a['batch-size'] < 1) throw new Error('--batch-size must be a positive integer');
      return true;
    })
    .strict()
    .help()
    .parseAsync();
  const log = (l: string) => process.stderr.write(`${l}\n`);
  await selectBackend({ requested: requestedBackend(args.backend) });
  let images: KeyedImage[];
  if (args.dataset) images = await imagesOfDataset(args.dataset, log);
  else if (args.images) images = await imagesInFolder(args.images);
  else images = await imagesInList(args.list!);
  if (images.length === 0) throw new UserError('no images to encode');
  const encoder = await loadEncoder({ variant: args.variant, source: args.mobilenet, batchSize: args['batch-size'] });
  log(`encoder ${encoder.fingerprint.id}`);
  try {
    const s = await extractFeatures(images, args.out, encoder, { batchSize: args['batch-size'], progress: args.progress });
    const perImage = s.encoded ? ` (${((1000 * s.seconds) / s.encoded).toFixed(1)} ms/img)` : '';
    log(`${s.encoded} images encoded in ${s.seconds.toFixed(1)} s${perImage}, ${s.alreadyDone} done before, ${s.skipped.length} unreadable skipped`);
    for (const sk of s.skipped.slice(0, 10)) log(`  skipped ${sk.reason}`);
    if (s.skipped.length > 10) log(`  … and ${s.skipped.length - 10} more (see ${args.out}/skipped.jsonl)`);
  } finally {
    encoder.dispose();
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => (process.exitCode = reportError(err, 'extract-features')),
);
