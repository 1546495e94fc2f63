/** `npm run train-tagger`: the command is defined in src/cli/commands/train-tagger.ts. */
import { main } from '../src/cli/command.js';
import { trainTaggerCommand } from '../src/cli/commands/train-tagger.js';

await main(trainTaggerCommand);
