/** `npm run convert-weights`: the command is defined in src/cli/commands/convert-weights.ts. */
import { main } from '../src/cli/command.js';
import { convertWeightsCommand } from '../src/cli/commands/convert-weights.js';

await main(convertWeightsCommand);
