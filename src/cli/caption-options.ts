/** The `caption` command's flags: one table, shared by --help and validation. */
import type { Argv } from 'yargs';
import { ENCODER_WEIGHTS_OPTION } from './encoder-weights-option.js';
import { checkRequestedDecoding } from '../checkpoint/decoding.js';
import { CONTEXT_MODES, type ContextMode } from '../decoder/context-mode.js';
import { BACKEND_OPTION } from './backend-option.js';

export const DEFAULT_CHECKPOINTS = ['checkpoints/everyday', 'checkpoints/shapes'] as const;

export interface CaptionArgs {
  images: string[];
  checkpoint: string | undefined;
  beam: number | undefined;
  lengthPenalty: number | undefined;
  context: ContextMode | undefined;
  maxLen: number;
  allowUnk: boolean;
  tags: boolean;
  explain: string | undefined;
  backend: string | undefined;
  encoderWeights: string | undefined;
  overlay: string | undefined;
  html: string | undefined;
  json: boolean;
  quiet: boolean;
  smooth: boolean;
  scale: 'fixed' | 'relative';
  colormap: 'viridis' | 'greys' | 'jet';
  opacity: number;
}

export function captionOptions(y: Argv): Argv<CaptionArgs> {
  return y
    .positional('images', {
      describe: 'image files, folders (their images, not recursive) or glob patterns',
      type: 'string',
      array: true,
      demandOption: true,
    })
    .option('checkpoint', {
      alias: 'c',
      type: 'string',
      describe: `decoder checkpoint folder [default: ${DEFAULT_CHECKPOINTS[0]} (Flickr8k + COCO-1k, real photos) if present, else ${DEFAULT_CHECKPOINTS[1]} (synthetic shapes)]`,
    })
    .option('beam', {
      alias: 'k',
      type: 'number',
      describe: "beam size (1 = greedy) [default: the checkpoint's, chosen on dev (its decoding.json), else 3]",
    })
    .option('length-penalty', { type: 'number', describe: "rank beam hypotheses by log p / length^P [default: the checkpoint's, else 0]" })
    .option('context', {
      choices: CONTEXT_MODES,
      describe:
        "what each word's context is made of: expected (soft), or argmax, the one region a hard-attention model chose (marked on overlays) [default: the checkpoint's, else expected]",
    })
    .option('max-len', { type: 'number', default: 20, describe: 'maximum caption length in words (a caption cut there ends with " […]")' })
    .option('tags', {
      type: 'boolean',
      default: true,
      describe:
        'tag-guided decoding when the checkpoint has a tagger and chose it (its decoding.json): name a confident object the plain caption misses; --no-tags gives the plain caption',
    })
    .option('explain', {
      type: 'string',
      describe:
        'instead of captioning, show where the model would look for each word of this caption (teacher forcing): α, β and log p per word, its log-likelihood; overlays and --html as for captions',
    })
    .option('allow-unk', { type: 'boolean', default: false, describe: 'let captions contain <unk> (debugging; never by default)' })
    .option('backend', BACKEND_OPTION)
    .option('encoder-weights', ENCODER_WEIGHTS_OPTION)
    .option('overlay', { alias: 'o', type: 'string', describe: 'write attention overlay PNGs into this folder' })
    .option('html', { type: 'string', describe: 'write a self-contained review page to this HTML file' })
    .option('json', { type: 'boolean', default: false, describe: 'print one JSON object per image (tokens, α, β, log-probs)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress or backend messages on stderr' })
    .option('smooth', {
      type: 'boolean',
      default: false,
      describe: 'smooth (bicubic) upsampling of attention maps; default: the grid cells as they are',
    })
    .option('scale', {
      choices: ['fixed', 'relative'] as const,
      default: 'fixed' as const,
      describe:
        "attention colour scale: fixed (relative to uniform attention: a diffuse map stays dark) or relative (to the map's own peak)",
    })
    .option('colormap', { choices: ['viridis', 'greys', 'jet'] as const, default: 'viridis' as const, describe: 'attention colour map' })
    .option('opacity', { type: 'number', default: 0.6, describe: 'attention overlay opacity, 0..1' })
    .check((argv) => {
      checkRequestedDecoding(
        { beamSize: argv.beam, lengthPenalty: argv['length-penalty'] },
        { beamSize: '--beam', lengthPenalty: '--length-penalty' },
      );
      if (!Number.isInteger(argv['max-len']) || argv['max-len'] < 1) throw new Error('--max-len must be a positive integer');
      if (!(argv.opacity >= 0 && argv.opacity <= 1)) throw new Error('--opacity must be between 0 and 1');
      if (argv.explain !== undefined && !/[\p{L}\p{N}]/u.test(argv.explain))
        throw new Error('--explain needs a caption with at least one word');
      return true;
    }) as unknown as Argv<CaptionArgs>;
}
