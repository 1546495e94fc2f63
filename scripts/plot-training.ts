/** `npm run plot-training`: the command is defined in src/cli/commands/plot-training.ts. */
import { main } from '../src/cli/command.js';
import { plotTrainingCommand } from '../src/cli/commands/plot-training.js';

await main(plotTrainingCommand);
