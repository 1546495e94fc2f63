/**
 * Draw a run's training curve: `npx tsx scripts/plot-training.ts runs/flickr8k/metrics.jsonl docs/flickr8k-training.png`
 */
import { readFileSync } from 'node:fs';
import { trainingCurvePng } from '../src/eval/training-curve.js';
import type { EpochMetrics } from '../src/train/train-state.js';
import { writeFileAtomic } from '../src/util/atomic-write.js';

const [input, output, metric = 'BLEU-4'] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: tsx scripts/plot-training.ts METRICS.jsonl OUT.png [metric]\n');
  process.exit(2);
}
const history = readFileSync(input, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as EpochMetrics);
await writeFileAtomic(output, await trainingCurvePng(history, metric, `${input} — ${history.length} epochs`));
process.stderr.write(`wrote ${output}\n`);
