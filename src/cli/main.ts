/**
 * The `caption` command line (yargs). `caption <image|folder|glob>...` prints `path<TAB>caption`.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { captionOptions, type CaptionArgs } from './caption-options.js';
import { reportError } from './exit-codes.js';
import { runCaption } from './run-caption.js';
import { UserError } from '../util/user-error.js';

class UsageError extends UserError {
  override name = 'UsageError';
  constructor(problem: string) {
    super(`${problem} (see \`${PROGRAM} --help\`)`);
  }
}

const PROGRAM = 'caption';

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const parser = yargs(argv)
    .scriptName(PROGRAM)
    .usage('$0 <images..>\n\nCaption photos with a soft-attention model and show where it looked for each word.')
    .command<CaptionArgs>('$0 <images..>', 'caption images (files, folders or globs)', captionOptions, async (args) => {
      try {
        exitCode = await runCaption(args);
      } catch (err) {
        exitCode = reportError(err, PROGRAM);
      }
    })
    .example('$0 photo.jpg', 'print a caption')
    .example('$0 photos/ --overlay out/ --html review.html', 'captions, attention overlays and a review page')
    .example('$0 photo.jpg --json --beam 5', 'tokens, attention maps and log-probabilities as JSON')
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    // Only parsing and validation errors reach here (the handler catches its own): a usage error.
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? 'invalid arguments');
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    return reportError(err, PROGRAM);
  }
  return exitCode;
}

process.exitCode = await main(hideBin(process.argv));
