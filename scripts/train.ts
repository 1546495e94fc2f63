/** `npm run train`: the command is defined in src/cli/commands/train.ts. */
import { main } from '../src/cli/command.js';
import { trainCommand } from '../src/cli/commands/train.js';

await main(trainCommand);
