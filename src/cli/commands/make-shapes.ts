/**
 * Generates the synthetic shapes grounding set (see src/data/shapes/): `npm run make-shapes` rewrites
 * the committed set (7,500 images, seed 1, 224 px) exactly; `-- --out DIR --count N` makes another.
 */
import { defineCommand, requireInteger } from '../command.js';
import { COMMITTED_SHAPES } from '../../data/shapes/committed.js';

export const makeShapesCommand = defineCommand({
  program: 'make-shapes',
  scriptName: 'npm run make-shapes --',
  description: 'Write the shapes grounding set (images, captions.jsonl, meta.json).',
  options: (y) =>
    y
      .option('out', { type: 'string', default: COMMITTED_SHAPES.out, describe: 'output folder' })
      .option('count', { type: 'number', default: COMMITTED_SHAPES.count, describe: 'total images: 80% train, 10% val, 10% test' })
      .option('seed', { type: 'number', default: COMMITTED_SHAPES.seed, describe: 'random seed (same seed, same set)' })
      .option('size', { type: 'number', default: COMMITTED_SHAPES.size, describe: 'image side in pixels (≥ 112)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace a bigger or different set in --out' })
      .check((a) => {
        requireInteger(a, ['count'], 0);
        requireInteger(a, ['size'], 112);
        if (!Number.isInteger(a.seed)) throw new Error(`--seed must be an integer, got ${a.seed}`);
        return true;
      }),
  run: async ({ out, count, seed, size, force }) => {
    const [{ splitCounts }, { writeShapesDataset }] = await Promise.all([
      import('../../data/shapes/generate.js'),
      import('../../data/shapes/write.js'),
    ]);
    const result = await writeShapesDataset(out, { seed, size, counts: splitCounts(count) }, { force });
    const { train, val, test } = result.perSplit;
    process.stdout.write(
      `${result.out}: ${result.images} images (train ${train}, val ${val}, test ${test}), ` +
        `${(result.imageBytes / 1024 / 1024).toFixed(2)} MiB of PNG, ${(result.elapsedMs / 1000).toFixed(1)} s\n`,
    );
  },
});
