/**
 * Train the soft-attention captioner: `npm run train -- --dataset D --features F --out checkpoints/NAME`.
 * Resumable: `--resume` continues the run in --run-dir exactly where it stopped.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { selectBackend } from '../src/backend/select.js';
import { requestedBackend } from '../src/cli/backend-option.js';
import { reportError } from '../src/cli/exit-codes.js';
import { runTraining } from '../src/train/trainer.js';
import { setupRun } from '../src/train/setup-run.js';
import { trainOptions } from '../src/train/train-options.js';

const PROGRAM = 'train';

async function main(): Promise<number> {
  const args = await trainOptions(yargs(hideBin(process.argv)).scriptName('npm run train --'))
    .usage('$0 --dataset FILE --features DIR --out DIR [options]')
    .example('$0 --dataset data/shapes/captions.jsonl --features data/features/shapes --out checkpoints/shapes --min-count 1', 'train on the shapes set')
    .strict()
    .help()
    .parseAsync();
  await selectBackend({ requested: requestedBackend(args.backend) });
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const { loop, close } = await setupRun(args, log);
  try {
    const state = await runTraining(loop);
    const best = state.plateau;
    log(`done: ${state.history.length} epochs, ${state.step} steps; best ${args['select-by']} ${best.bestScore?.toFixed(4)} at epoch ${best.bestEpoch} → ${args.out}`);
  } finally {
    await close();
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => (process.exitCode = reportError(err, PROGRAM)),
);
