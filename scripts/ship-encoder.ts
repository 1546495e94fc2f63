/** `npm run ship-encoder`: the command is defined in src/cli/commands/ship-encoder.ts. */
import { main } from '../src/cli/command.js';
import { shipEncoderCommand } from '../src/cli/commands/ship-encoder.js';

await main(shipEncoderCommand);
