/** The training script's flags (yargs), defaults documented in one place. */
import type { Argv } from 'yargs';
import { BACKEND_OPTION } from './backend-option.js';
import { requireInteger } from './command.js';
import { datasetOptions } from '../data/dataset-sources.js';
import { SCORING_KINDS } from '../decoder/config.js';
import { METRIC_NAMES } from '../eval/metric-names.js';
import { HARD_ATTENTION_DEFAULTS } from '../train/hard-attention-defaults.js';

export function trainOptions(y: Argv) {
  return datasetOptions(y)
    .option('features', {
      type: 'string',
      demandOption: true,
      describe: 'feature store made by `npm run extract-features` for this dataset',
    })
    .option('out', { type: 'string', demandOption: true, describe: 'best checkpoint folder, e.g. checkpoints/shapes' })
    .option('run-dir', {
      type: 'string',
      describe: 'run folder for the resumable last checkpoint and metrics.jsonl [default: runs/<name of --out>]',
    })
    .option('resume', { type: 'boolean', default: false, describe: 'continue the run in --run-dir exactly where it stopped' })
    .option('epochs', { type: 'number', default: 30, describe: 'maximum epochs' })
    .option('max-steps', { type: 'number', default: 0, describe: 'stop after this many steps in this process (0 = no limit)' })
    .option('batch-size', { type: 'number', default: 32 })
    .option('lr', { type: 'number', default: 4e-4, describe: 'Adam learning rate' })
    .option('clip-norm', { type: 'number', default: 5, describe: 'clip gradients to this global norm' })
    .option('weight-decay', { type: 'number', default: 0, describe: 'L2 penalty on the weight matrices (coupled, before clipping)' })
    .option('lr-decay', { type: 'number', default: 0.5, describe: 'LR factor on a validation plateau' })
    .option('lr-patience', { type: 'number', default: 2, describe: 'epochs without improvement before the LR decays' })
    .option('patience', { type: 'number', default: 5, describe: 'epochs without improvement before early stopping' })
    .option('select-by', {
      choices: METRIC_NAMES,
      describe: 'validation metric for best checkpoint and early stopping [default: CIDEr-D with --objective scst, else BLEU-4]',
    })
    .option('objective', {
      choices: ['xe', 'scst'] as const,
      default: 'xe' as const,
      describe: 'xe: cross-entropy (teacher forcing); scst: self-critical sequence training on CIDEr-D (needs --init-from)',
    })
    .option('init-from', {
      type: 'string',
      describe: 'start from this checkpoint’s weights, vocabulary and sizes (e.g. the best cross-entropy model)',
    })
    .option('scst-samples', {
      type: 'number',
      default: 5,
      describe: 'scst: captions sampled per image (the baseline is the mean reward of the others)',
    })
    .option('attention', {
      choices: ['soft', 'hard'] as const,
      default: 'soft' as const,
      describe: 'soft: the expected context (§4.2); hard: one region per word sampled from α, trained on the variational bound (§4.1)',
    })
    .option('hard-expected', {
      type: 'number',
      default: HARD_ATTENTION_DEFAULTS.expectedProbability,
      describe: 'hard: probability of a minibatch with the expected context instead of sampled regions',
    })
    .option('hard-signal', {
      type: 'number',
      default: HARD_ATTENTION_DEFAULTS.signalWeight,
      describe: 'hard: weight of the score-function term, λ_r × the learning signal scale (published 1 × 1/10)',
    })
    .option('hard-entropy', {
      type: 'number',
      default: HARD_ATTENTION_DEFAULTS.entropyWeight,
      describe: 'hard: entropy bonus λ_e on the attention distributions',
    })
    .option('attention-targets', {
      type: 'string',
      default: '',
      defaultDescription: 'none',
      describe:
        "attention supervision: where the caption words that name a COCO class should look, per training image (an attention-targets JSON, e.g. from runs/attention/detector-maps.ts); with --objective scst, the sampled captions' class words",
    })
    .option('attention-supervision', {
      type: 'number',
      default: 1,
      describe: 'with --attention-targets: the weight of the supervision term, −Σ_i target_i log α_i per supervised word',
    })
    .option('lambda', {
      type: 'number',
      describe: `doubly stochastic attention regularisation λ [default: 1 with soft attention, ${HARD_ATTENTION_DEFAULTS.doublyStochasticLambda} with hard]`,
    })
    .middleware((a) => {
      a['select-by'] ??= a.objective === 'scst' ? 'CIDEr-D' : 'BLEU-4';
      a.lambda ??= a.attention === 'hard' ? HARD_ATTENTION_DEFAULTS.doublyStochasticLambda : 1;
    })
    .option('val-limit', { type: 'number', default: 0, describe: 'decode at most this many validation images per epoch (0 = all)' })
    .option('checkpoint-every', { type: 'number', default: 200, describe: 'save the resumable checkpoint every N steps' })
    .option('min-count', { type: 'number', default: 5, describe: 'vocabulary: keep words seen at least this often in training captions' })
    .option('max-words', { type: 'number', default: 20, describe: 'cut training captions to this many words' })
    .option('embed-dim', { type: 'number', default: 512 })
    .option('hidden-dim', { type: 'number', default: 512 })
    .option('attention-dim', { type: 'number', default: 512 })
    .option('scoring', { choices: SCORING_KINDS, default: 'additive' as const, describe: 'attention scoring' })
    .option('dropout', { type: 'number', default: 0.5, describe: 'dropout on the deep output' })
    .option('hidden-dropout', { type: 'number', default: 0, describe: 'extra dropout on h_t where it enters the deep output' })
    .option('weights-dtype', {
      choices: ['float32', 'float16'] as const,
      default: 'float32' as const,
      describe: 'storage of the best checkpoint',
    })
    .option('seed', { type: 'number', default: 1 })
    .option('backend', BACKEND_OPTION)
    .option('progress', { type: 'boolean', default: true, describe: 'progress bar on stderr' })
    .check((a) => {
      requireInteger(a, [
        'epochs',
        'batch-size',
        'checkpoint-every',
        'min-count',
        'max-words',
        'patience',
        'lr-patience',
        'embed-dim',
        'hidden-dim',
        'attention-dim',
      ]);
      requireInteger(a, ['max-steps', 'val-limit'], 0);
      if (!Number.isInteger(a.seed)) throw new Error(`--seed must be an integer, got ${a.seed}`);
      if (!(a.lr > 0)) throw new Error(`--lr must be positive, got ${a.lr}`);
      if (!(a['weight-decay'] >= 0)) throw new Error(`--weight-decay must be zero or positive, got ${a['weight-decay']}`);
      if (!(a['clip-norm'] > 0)) throw new Error(`--clip-norm must be positive, got ${a['clip-norm']}`);
      if (!(a['lr-decay'] > 0 && a['lr-decay'] <= 1)) throw new Error(`--lr-decay must be in (0, 1], got ${a['lr-decay']}`);
      for (const k of ['dropout', 'hidden-dropout'] as const)
        if (!(a[k] >= 0 && a[k] < 1)) throw new Error(`--${k} must be in [0, 1), got ${a[k]}`);
      if (!(a.lambda! >= 0)) throw new Error(`--lambda must be zero or positive, got ${a.lambda}`);
      requireInteger(a, ['scst-samples'], 2);
      if (a.attention === 'hard' && a.objective === 'scst')
        throw new Error(
          '--attention hard trains with its own objective (the variational bound): it cannot be combined with --objective scst',
        );
      if (!(a['hard-expected'] >= 0 && a['hard-expected'] <= 1))
        throw new Error(`--hard-expected must be in [0, 1], got ${a['hard-expected']}`);
      for (const k of ['hard-signal', 'hard-entropy'] as const)
        if (!(a[k] >= 0)) throw new Error(`--${k} must be zero or positive, got ${a[k]}`);
      if (!(a['attention-supervision'] >= 0))
        throw new Error(`--attention-supervision must be zero or positive, got ${a['attention-supervision']}`);
      if (a['attention-targets'] && a.attention === 'hard')
        throw new Error('--attention-targets supervises soft attention: not with --attention hard');
      if (a.objective === 'scst' && !a['init-from'] && !a.resume)
        throw new Error('--objective scst needs --init-from <checkpoint> (a model trained with cross-entropy)');
      return true;
    });
}

export type TrainArgs = Awaited<ReturnType<ReturnType<typeof trainOptions>['parseAsync']>>;
