/**
 * Evaluate a checkpoint on a dataset split from its feature store:
 *   npm run evaluate -- --checkpoint checkpoints/shapes --dataset data/shapes/captions.jsonl \
 *     --features data/features/shapes --split test --beams 1,3 --out results/shapes-test.json
 * Prints BLEU-1..4, CIDEr-D, ROUGE-L, exact match per beam size, and grounding when the dataset has
 * word boxes; writes the same as JSON with --out.
 */
import { defineCommand } from '../command.js';
import { evaluateOptions } from '../evaluate-options.js';

export const evaluateCommand = defineCommand({
  program: 'evaluate',
  scriptName: 'npm run evaluate --',
  description: 'Caption a dataset split from its feature store and score it (coco-caption metrics, grounding).',
  options: evaluateOptions,
  run: async (args) => (await import('../run-evaluate.js')).runEvaluate(args),
});
