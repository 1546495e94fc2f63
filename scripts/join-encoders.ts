/** `npm run join-encoders`: the command is defined in src/cli/commands/join-encoders.ts. */
import { main } from '../src/cli/command.js';
import { joinEncodersCommand } from '../src/cli/commands/join-encoders.js';

await main(joinEncodersCommand);
