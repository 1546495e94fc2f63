/**
 * The `caption` command line. `caption <image|folder|glob>...` prints `path<TAB>caption`. The engine
 * (TensorFlow.js, sharp) loads only once the flags are good: `--help` and `--version` answer at once.
 */
import { captionOptions } from '../caption-options.js';
import { defineCommand } from '../command.js';

export const captionCommand = defineCommand({
  program: 'caption',
  command: '$0 <images..>',
  description: 'Caption photos with a soft-attention model and show where it looked for each word.',
  options: captionOptions,
  examples: [
    ['$0 photo.jpg', 'print a caption'],
    ['$0 photos/ --overlay out/ --html review.html', 'captions, attention overlays and a review page'],
    ['$0 photo.jpg --json --beam 5', 'tokens, attention maps and log-probabilities as JSON'],
  ],
  run: async (args) => (await import('../run-caption.js')).runCaption(args),
});
