/**
 * Train the soft-attention captioner: `npm run train -- --dataset D --features F --out checkpoints/NAME`.
 * Resumable: `--resume` continues the run in --run-dir exactly where it stopped.
 */
import { defineCommand } from '../command.js';
import { trainOptions } from '../train-options.js';

export const trainCommand = defineCommand({
  program: 'train',
  scriptName: 'npm run train --',
  description: 'Train a captioner on a dataset and its feature store.',
  options: trainOptions,
  examples: [
    [
      '$0 --dataset data/shapes/captions.jsonl --features data/features/shapes --out checkpoints/shapes --min-count 1',
      'train on the shapes set',
    ],
  ],
  run: async (args) => {
    const [{ selectBackend }, { requestedBackend }, { runTraining }, { setupRun }] = await Promise.all([
      import('../../backend/select.js'),
      import('../backend-option.js'),
      import('../../train/trainer.js'),
      import('../train-setup.js'),
    ]);
    // Training reads a feature store: the decoder alone runs here (no convolution; see native-check.ts).
    await selectBackend({ requested: requestedBackend(args.backend), work: 'decoder-only' });
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const { loop, close } = await setupRun(args, log);
    try {
      const state = await runTraining(loop);
      const best = state.plateau;
      const finished = state.stopped || state.epoch >= args.epochs;
      const where =
        best.bestEpoch === null
          ? 'no epoch finished yet'
          : `best ${args['select-by']} ${best.bestScore?.toFixed(4)} at epoch ${best.bestEpoch} → ${args.out}`;
      log(
        `${finished ? 'done' : 'paused (--max-steps; continue with --resume)'}: ${state.history.length} epochs, ${state.step} steps; ${where}`,
      );
    } finally {
      await close();
    }
  },
});
