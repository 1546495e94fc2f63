/**
 * Draw a run's training curve: `npm run plot-training -- runs/flickr8k/metrics.jsonl docs/flickr8k-training-xe.png --metric CIDEr-D [--metric BLEU-4]`
 */
import { defineCommand } from '../command.js';
import { METRIC_NAMES } from '../../eval/metric-names.js';

export const plotTrainingCommand = defineCommand({
  program: 'plot-training',
  scriptName: 'npm run plot-training --',
  command: '$0 <metrics> <out>',
  description: "Plot a run's training loss and a validation metric by epoch (PNG).",
  options: (y) =>
    y
      .positional('metrics', { type: 'string', demandOption: true, describe: 'a run’s metrics.jsonl' })
      .positional('out', { type: 'string', demandOption: true, describe: 'PNG file to write' })
      .option('metric', { choices: METRIC_NAMES, default: 'BLEU-4' as const, describe: 'validation metric to plot' }),
  run: async (args) => {
    const [{ promises: fs }, { trainingCurvePng }, { parseEpochMetrics }, { writeFileAtomic }, { FileInputError }] = await Promise.all([
      import('node:fs'),
      import('../../eval/training-curve.js'),
      import('../../train/train-state.js'),
      import('../../util/atomic-write.js'),
      import('../../util/user-error.js'),
    ]);
    const text = await fs.readFile(args.metrics, 'utf8').catch(() => {
      throw new FileInputError(args.metrics, 'cannot be read');
    });
    const history = text
      .split('\n')
      .filter(Boolean)
      .map((line, i) => {
        try {
          return parseEpochMetrics(JSON.parse(line), args.metrics);
        } catch (err) {
          if (err instanceof FileInputError) throw err;
          throw new FileInputError(args.metrics, `line ${i + 1} is not JSON`);
        }
      });
    if (history.length === 0) throw new FileInputError(args.metrics, 'has no epochs');
    await writeFileAtomic(args.out, await trainingCurvePng(history, args.metric, `${args.metrics} — ${history.length} epochs`));
    process.stderr.write(`wrote ${args.out}\n`);
  },
});
