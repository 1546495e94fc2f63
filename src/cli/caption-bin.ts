/** The `caption` executable's entry: parse process.argv, set the exit code. */
import { hideBin } from 'yargs/helpers';
import { main } from './main.js';

process.exitCode = await main(hideBin(process.argv));
