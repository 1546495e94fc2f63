/**
 * The attention benchmark on real photos with COCO boxes:
 *   npm run grounding -- --checkpoint checkpoints/flickr8k \
 *     --instances ../shared/datasets/coco-mini-train2017/annotations/instances_train2017.json \
 *     --captions ../shared/datasets/coco-mini-train2017/annotations/captions_train2017.json \
 *     --images ../shared/datasets/coco-mini-train2017/train2017 --out results/grounding.json
 * Scores the words that name a boxed COCO class, in the model's captions and in the reference captions
 * (teacher-forced): pointing and attention mass ratio, beside the centre-cell, uniform, average-map and
 * other-words baselines (src/eval/box-grounding.ts).
 */
import { BACKEND_OPTION } from '../backend-option.js';
import { defineCommand, requireInteger } from '../command.js';
import { ENCODER_WEIGHTS_OPTION } from '../encoder-weights-option.js';

export const groundingCommand = defineCommand({
  program: 'grounding',
  scriptName: 'npm run grounding --',
  description: 'Score where the attention looks against COCO object boxes (pointing, mass ratio, baselines).',
  options: (y) =>
    y
      .option('checkpoint', { type: 'string', demandOption: true, describe: 'decoder checkpoint folder' })
      .option('instances', { type: 'string', demandOption: true, describe: 'COCO instances JSON (object boxes)' })
      .option('captions', { type: 'string', describe: 'COCO captions JSON of the same photos (reference words, teacher-forced)' })
      .option('images', { type: 'string', demandOption: true, describe: "folder of the photos (the instances file's file_name)" })
      .option('limit', { type: 'number', default: 0, describe: 'score at most this many photos (0 = all)' })
      .option('out', { type: 'string', describe: 'write the report as JSON' })
      .option('encoder-weights', ENCODER_WEIGHTS_OPTION)
      .option('backend', BACKEND_OPTION)
      .check((a) => {
        requireInteger(a, ['limit'], 0);
        return true;
      }),
  run: async (args) => {
    const { requestedBackend } = await import('../backend-option.js');
    const { runGrounding } = await import('../run-grounding.js');
    await runGrounding({ ...args, backend: requestedBackend(args.backend) });
  },
});
