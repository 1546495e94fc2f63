/**
 * Generates the synthetic shapes grounding set (see src/data/shapes/):
 *   npx tsx scripts/make-shapes.ts --out data/shapes --count 1500 --seed 1 --size 224
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { splitCounts } from '../src/data/shapes/generate.js';
import { writeShapesDataset } from '../src/data/shapes/write.js';
import { isUserError, UserError } from '../src/util/user-error.js';

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('make-shapes')
    .usage('$0 [options]: write the shapes grounding set (images, captions.jsonl, meta.json)')
    .option('out', { type: 'string', default: 'data/shapes', describe: 'output folder' })
    .option('count', { type: 'number', default: 1500, describe: 'total images: 80% train, 10% val, 10% test' })
    .option('seed', { type: 'number', default: 1, describe: 'random seed (same seed, same set)' })
    .option('size', { type: 'number', default: 224, describe: 'image side in pixels (≥ 112)' })
    .strict()
    .parseAsync();
  const { count, seed, size } = argv;
  if (!Number.isInteger(count) || count < 0) throw new UserError(`--count must be a whole number ≥ 0, got ${count}`);
  if (!Number.isInteger(seed)) throw new UserError(`--seed must be a whole number, got ${seed}`);
  if (!Number.isInteger(size) || size < 112) throw new UserError(`--size must be a whole number ≥ 112, got ${size}`);
  const result = await writeShapesDataset(argv.out, { seed, size, counts: splitCounts(count) });
  const { train, val, test } = result.perSplit;
  process.stdout.write(
    `${result.out}: ${result.images} images (train ${train}, val ${val}, test ${test}), ` +
      `${(result.imageBytes / 1024 / 1024).toFixed(2)} MiB of PNG, ${(result.elapsedMs / 1000).toFixed(1)} s\n`,
  );
}

main().catch((err: unknown) => {
  if (isUserError(err)) {
    process.stderr.write(`make-shapes: ${err.message}\n`);
    process.exit(err.exitCode);
  }
  process.stderr.write(`make-shapes: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
