/** `npm run map-imagenet`: the command is defined in src/cli/commands/map-imagenet.ts. */
import { main } from '../src/cli/command.js';
import { mapImagenetCommand } from '../src/cli/commands/map-imagenet.js';

await main(mapImagenetCommand);
