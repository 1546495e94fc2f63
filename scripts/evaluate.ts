/** `npm run evaluate`: the command is defined in src/cli/commands/evaluate.ts. */
import { main } from '../src/cli/command.js';
import { evaluateCommand } from '../src/cli/commands/evaluate.js';

await main(evaluateCommand);
