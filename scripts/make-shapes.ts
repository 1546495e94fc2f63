/** `npm run make-shapes`: the command is defined in src/cli/commands/make-shapes.ts. */
import { main } from '../src/cli/command.js';
import { makeShapesCommand } from '../src/cli/commands/make-shapes.js';

await main(makeShapesCommand);
