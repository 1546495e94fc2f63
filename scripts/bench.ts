/**
 * Benchmarks: `npm run bench -- <name> [options]` (`npm run bench -- --help` lists them). Each lives in
 * scripts/bench/<name>.ts as a subcommand; the engine loads only inside the one that runs.
 */
import { main, subcommand } from '../src/cli/command.js';
import { encoderBenchmark } from './bench/encoder.js';
import { fastPathsBenchmark } from './bench/fast-paths.js';
import { tagsBenchmark } from './bench/tags.js';
import { trainBenchmark } from './bench/train.js';

await main({
  program: 'bench',
  scriptName: 'npm run bench --',
  subcommands: [subcommand(encoderBenchmark), subcommand(trainBenchmark), subcommand(fastPathsBenchmark), subcommand(tagsBenchmark)],
});
