/** `npm run extract-features`: the command is defined in src/cli/commands/extract-features.ts. */
import { main } from '../src/cli/command.js';
import { extractFeaturesCommand } from '../src/cli/commands/extract-features.js';

await main(extractFeaturesCommand);
