/** `npm run grounding`: the command is defined in src/cli/commands/grounding.ts. */
import { main } from '../src/cli/command.js';
import { groundingCommand } from '../src/cli/commands/grounding.js';

await main(groundingCommand);
