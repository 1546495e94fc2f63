/** The `caption` executable's entry (bin/caption.js): parse process.argv, set the exit code. */
import { main } from './command.js';
import { captionCommand } from './commands/caption.js';

await main(captionCommand);
