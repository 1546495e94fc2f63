/** `npm run demo`: the command is defined in src/cli/commands/demo.ts. */
import { main } from '../src/cli/command.js';
import { demoCommand } from '../src/cli/commands/demo.js';

await main(demoCommand);
