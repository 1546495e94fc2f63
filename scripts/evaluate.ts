/**
 * Evaluate a checkpoint on a dataset split from its feature store:
 *   npm run evaluate -- --checkpoint checkpoints/shapes --dataset data/shapes/captions.jsonl \
 *     --features data/features/shapes --split test --beams 1,3 --out results/shapes-test.json
 * Prints BLEU-1..4, CIDEr-D, ROUGE-L, exact match per beam size, and grounding when the dataset has
 * word boxes; writes the same as JSON with --out.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { selectBackend } from '../src/backend/select.js';
import { BACKEND_OPTION, requestedBackend } from '../src/cli/backend-option.js';
import { reportError } from '../src/cli/exit-codes.js';
import { imagesOf, SPLITS, type Split } from '../src/data/dataset.js';
import { FeatureStoreReader } from '../src/data/feature-store.js';
import { loadDataset, type DatasetFormat } from '../src/data/load-dataset.js';
import { Captioner } from '../src/decode/captioner.js';
import { evaluateCheckpoint, type SettingResult } from '../src/eval/evaluate-checkpoint.js';
import { writeJsonAtomic } from '../src/util/atomic-write.js';

/** Held-out colour–shape pairs recorded by make-shapes in the dataset's meta.json, if any. */
function heldOutPairs(datasetFile: string): string[] {
  const meta = path.join(path.dirname(datasetFile), 'meta.json');
  if (!existsSync(meta)) return [];
  const parsed = JSON.parse(readFileSync(meta, 'utf8')) as { heldOutPairs?: string[] };
  return parsed.heldOutPairs ?? [];
}

function formatRow(r: SettingResult): string {
  const s = Object.entries(r.scores).map(([k, v]) => `${k} ${(v * (k.startsWith('CIDEr') ? 1 : 100)).toFixed(2)}`).join('  ');
  const g = r.grounding
    ? `\n    grounding: pointing ${r.grounding.overall.pointing.toFixed(3)} (held-out ${r.grounding.heldOut.pointing.toFixed(3)}), ` +
      `mass ${r.grounding.overall.mass.toFixed(3)} (held-out ${r.grounding.heldOut.mass.toFixed(3)}), chance ${r.grounding.overall.chance.toFixed(3)}, words ${r.grounding.overall.words}`
    : '';
  const e = r.attention.entropy;
  const a =
    `\n    attention entropy (nats, uniform ${r.attention.uniformEntropy.toFixed(2)}): nouns ${e.noun.mean.toFixed(2)} (${e.noun.words}), ` +
    `function words ${e.function.mean.toFixed(2)} (${e.function.words}), other ${e.other.mean.toFixed(2)}; ` +
    `word-to-word map change ${r.attention.consecutiveDistance.toFixed(3)}`;
  return `beam ${r.beamSize}: ${s}  (${r.captionsPerSecond.toFixed(1)} captions/s)${g}${a}`;
}

async function main(): Promise<number> {
  const args = await yargs(hideBin(process.argv))
    .scriptName('npm run evaluate --')
    .option('checkpoint', { type: 'string', demandOption: true })
    .option('dataset', { type: 'string', demandOption: true })
    .option('format', { type: 'string', default: 'auto' })
    .option('features', { type: 'string', demandOption: true })
    .option('split', { choices: SPLITS, default: 'test' as Split })
    .option('beams', { type: 'string', default: '1,3', describe: 'comma-separated beam sizes (1 = greedy)' })
    .option('max-len', { type: 'number', default: 20 })
    .option('out', { type: 'string', describe: 'write the results as JSON here' })
    .option('backend', BACKEND_OPTION)
    .strict()
    .help()
    .parseAsync();
  const beams = args.beams.split(',').map(Number);
  if (beams.some((b) => !Number.isInteger(b) || b < 1)) throw new Error('--beams must be positive integers');
  await selectBackend({ requested: requestedBackend(args.backend) });
  const { dataset } = await loadDataset(args.dataset, args.format as DatasetFormat | 'auto');
  const images = imagesOf(dataset, args.split);
  const store = await FeatureStoreReader.open(args.features);
  const captioner = await Captioner.load(args.checkpoint);
  try {
    const heldOut = heldOutPairs(args.dataset);
    const results = await evaluateCheckpoint(captioner, store, { images, beams, maxLength: args['max-len'], heldOut });
    for (const r of results) process.stdout.write(`${formatRow(r)}\n`);
    if (args.out) {
      await writeJsonAtomic(args.out, {
        checkpoint: args.checkpoint,
        encoder: captioner.encoderId,
        dataset: args.dataset,
        split: args.split,
        images: images.length,
        heldOutPairs: heldOut,
        command: `npm run evaluate -- ${process.argv.slice(2).join(' ')}`,
        results,
      });
    }
  } finally {
    captioner.dispose();
    await store.close();
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => (process.exitCode = reportError(err, 'evaluate')),
);
