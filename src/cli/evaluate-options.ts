/** The `evaluate` command's flags (yargs); no engine imported here, so `--help` is instant. */
import type { Argv } from 'yargs';
import { BACKEND_OPTION } from './backend-option.js';
import { requireInteger } from './command.js';
import { SPLITS, type Split } from '../data/dataset.js';
import { datasetOptions } from '../data/dataset-sources.js';
import { CONTEXT_MODES, type ContextMode } from '../decoder/context-mode.js';
import { METRIC_NAMES } from '../eval/metric-names.js';

/** `--beams 1,3,5` → [1, 3, 5]; throws a usage message for anything else. */
export function parseBeams(text: string): number[] {
  const beams = text.split(',').map((b) => Number(b.trim()));
  if (text.trim() === '' || beams.some((b) => !Number.isInteger(b) || b < 1))
    throw new Error(`--beams must be positive integers separated by commas, got "${text}"`);
  return beams;
}

/** `--contexts expected,argmax` → ['expected', 'argmax']. */
export function parseContexts(text: string): ContextMode[] {
  const values = text.split(',').map((c) => c.trim());
  const bad = values.find((c) => !(CONTEXT_MODES as readonly string[]).includes(c));
  if (bad !== undefined) throw new Error(`--contexts must be ${CONTEXT_MODES.join(' and/or ')} separated by commas, got "${text}"`);
  return values as ContextMode[];
}

/** `--tag-thresholds 0.5,0.7 --tag-margins 1` → plain, then every (threshold, margin) pair. */
export function parseTagSettings(
  thresholds: string | undefined,
  margins: string,
  classes = '1',
): ({ threshold: number; margin: number; classes: number } | undefined)[] {
  if (thresholds === undefined) return [undefined];
  const ts = thresholds.split(',').map((x) => Number(x.trim()));
  const ms = margins.split(',').map((x) => Number(x.trim()));
  const ks = classes.split(',').map((x) => Number(x.trim()));
  if (ts.some((t) => !(t >= 0 && t <= 1)))
    throw new Error(`--tag-thresholds must be numbers from 0 to 1 separated by commas, got "${thresholds}"`);
  if (ms.some((m) => !(m >= 0))) throw new Error(`--tag-margins must be numbers ≥ 0 separated by commas, got "${margins}"`);
  if (ks.some((k) => k !== 1 && k !== 2)) throw new Error(`--tag-classes must be 1 and/or 2 separated by commas, got "${classes}"`);
  return [undefined, ...ts.flatMap((threshold) => ms.flatMap((margin) => ks.map((k) => ({ threshold, margin, classes: k }))))];
}

/** `--length-penalties 0,0.5,1` → [0, 0.5, 1]. */
export function parseLengthPenalties(text: string): number[] {
  const values = text.split(',').map((b) => Number(b.trim()));
  if (text.trim() === '' || values.some((v) => !Number.isFinite(v) || v < 0))
    throw new Error(`--length-penalties must be numbers ≥ 0 separated by commas, got "${text}"`);
  return values;
}

export function evaluateOptions(y: Argv) {
  return datasetOptions(y)
    .option('checkpoint', { type: 'string', demandOption: true, describe: 'decoder checkpoint folder' })
    .option('features', { type: 'string', demandOption: true, describe: 'feature store of the dataset’s images' })
    .option('split', { choices: SPLITS, default: 'test' as Split })
    .option('beams', { type: 'string', default: '1,3', describe: 'comma-separated beam sizes (1 = greedy)' })
    .option('length-penalties', {
      type: 'string',
      default: '0',
      describe: 'comma-separated length penalties P, tried with each beam size > 1 (hypotheses ranked by log p / length^P)',
    })
    .option('contexts', {
      type: 'string',
      default: 'expected',
      describe: "comma-separated context modes: expected, argmax (hard attention's most likely region)",
    })
    .option('tag-thresholds', {
      type: 'string',
      describe:
        'tag-guided decoding (checkpoints with a tagger): comma-separated tag thresholds to try, each with every --tag-margins value, beside plain captions',
    })
    .option('tag-margins', {
      type: 'string',
      default: '1',
      describe: 'comma-separated margins (nats per word a constrained caption may lose and still be kept)',
    })
    .option('tag-classes', {
      type: 'string',
      default: '1',
      describe: 'comma-separated 1 and/or 2: how many confident classes one constraint may be met by',
    })
    .option('choose-within', {
      type: 'number',
      default: 0,
      describe:
        'with --choose: settings within this much of the best score count as equal, and the first listed of them (the smallest beam) is chosen',
    })
    .option('choose', {
      choices: METRIC_NAMES,
      describe:
        "write the best setting by this metric into the checkpoint's decoding.json, the defaults of caption and loadCaptioner (validation split only)",
    })
    .option('max-len', { type: 'number', default: 20, describe: 'maximum caption length in words' })
    .option('allow-unk', { type: 'boolean', default: false, describe: 'let captions contain <unk> (debugging)' })
    .option('out', { type: 'string', describe: 'write the results as JSON here' })
    .option('backend', BACKEND_OPTION)
    .check((a) => {
      parseBeams(a.beams);
      parseLengthPenalties(a['length-penalties']);
      parseContexts(a.contexts);
      parseTagSettings(a['tag-thresholds'], a['tag-margins'], a['tag-classes']);
      if (!(a['choose-within'] >= 0)) throw new Error(`--choose-within must be zero or positive, got ${a['choose-within']}`);
      if (a.choose !== undefined && a.split !== 'val')
        throw new Error(
          `--choose picks decoding settings on the validation split: use --split val (got --split ${a.split}); report the test split once, with the chosen settings`,
        );
      requireInteger(a, ['max-len']);
      return true;
    });
}

export type EvaluateArgs = Awaited<ReturnType<ReturnType<typeof evaluateOptions>['parseAsync']>>;
