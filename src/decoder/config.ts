/**
 * The decoder's hyperparameters (Xu et al. 2015, §3.1.2): sizes, attention scoring, regularisation.
 *
 * `resolveDecoderConfig` fills defaults and validates, so every other decoder file can trust a
 * `DecoderConfig` without re-checking it.
 */
import { NUM_SPECIAL_TOKENS } from '../data/special-tokens.js';
import { UserError } from '../util/user-error.js';

/**
 * How the attention model f_att scores region i against the previous hidden state h:
 * - `additive` (the paper's, Bahdanau): e_i = w · tanh(W_a a_i + U_a h + b)
 * - `dot`: e_i = a_i · (W_q h) — W_q projects h (H) into feature space (D) so the dot product is defined
 * - `general` (Luong): e_i = h^T W a_i — W projects each region into hidden space (D → H), once per image
 *
 * `dot` and `general` are both bilinear in (h, a_i); they differ in where the projection sits (query
 * side per step vs. key side once per image), hence in cost and in their initial score scale.
 */
export const SCORING_KINDS = ['additive', 'dot', 'general'] as const;
export type AttentionScoring = (typeof SCORING_KINDS)[number];

export interface DecoderConfig {
  /** V: vocabulary size including the 4 special tokens (<pad>=0, <start>=1, <end>=2, <unk>=3). */
  vocabSize: number;
  /** D: length of one annotation vector a_i (1024 on the shipped MobileNet conv_pw_12 7×7 grid; 512 on conv_pw_11's 14×14). */
  featureDim: number;
  /** E: word embedding size (also the size of the deep-output sum). */
  embedDim: number;
  /** H: LSTM hidden size. */
  hiddenDim: number;
  /** A: attention MLP size (additive scoring only). */
  attentionDim: number;
  scoring: AttentionScoring;
  /** Dropout rate on the deep-output sum E y + L_h h + L_z z (training only). */
  dropout: number;
  /** Extra dropout rate on h_t where it enters the deep output (training only; 0 = off). */
  hiddenDropout: number;
  /** λ of the doubly stochastic attention penalty λ Σ_i (1 − Σ_t α_ti)². */
  doublyStochasticLambda: number;
  /** Seed for weight initialisation; undefined = random. (Dropout masks take a per-call seed.) */
  seed: number | undefined;
}

export type DecoderConfigInput = Partial<DecoderConfig> & { vocabSize: number };

const DECODER_DEFAULTS: Readonly<Omit<DecoderConfig, 'vocabSize'>> = {
  featureDim: 512,
  embedDim: 512,
  hiddenDim: 512,
  attentionDim: 512,
  scoring: 'additive',
  dropout: 0.5,
  hiddenDropout: 0,
  doublyStochasticLambda: 1,
  seed: undefined,
};

/** Ids 0–3 are reserved for the special tokens, so a usable vocabulary has more than 4 entries. */
export class DecoderConfigError extends UserError {
  override name = 'DecoderConfigError';
}

const KNOWN_KEYS = new Set<string>(['vocabSize', ...Object.keys(DECODER_DEFAULTS)]);

function positiveInt(value: unknown, key: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new DecoderConfigError(`decoder config: ${key} must be a positive integer (got ${String(value)})`);
  }
}

function rate(value: unknown, key: string): void {
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new DecoderConfigError(`decoder config: ${key} must be a number in [0, 1) (got ${String(value)})`);
  }
}

/** Defaults + validation; throws DecoderConfigError naming the offending field. */
export function resolveDecoderConfig(input: DecoderConfigInput): DecoderConfig {
  if (input === null || typeof input !== 'object') throw new DecoderConfigError('decoder config must be an object');
  const unknown = Object.keys(input).filter((k) => !KNOWN_KEYS.has(k));
  if (unknown.length) {
    throw new DecoderConfigError(`decoder config: unknown field(s) ${unknown.join(', ')} (known: ${[...KNOWN_KEYS].join(', ')})`);
  }
  const defined = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
  const cfg: DecoderConfig = { ...DECODER_DEFAULTS, ...defined } as DecoderConfig;
  positiveInt(cfg.vocabSize, 'vocabSize');
  if (cfg.vocabSize <= NUM_SPECIAL_TOKENS) {
    throw new DecoderConfigError(`decoder config: vocabSize must exceed the ${NUM_SPECIAL_TOKENS} special tokens (got ${cfg.vocabSize})`);
  }
  for (const key of ['featureDim', 'embedDim', 'hiddenDim', 'attentionDim'] as const) positiveInt(cfg[key], key);
  if (!(SCORING_KINDS as readonly string[]).includes(cfg.scoring)) {
    throw new DecoderConfigError(`decoder config: scoring must be one of ${SCORING_KINDS.join(', ')} (got ${String(cfg.scoring)})`);
  }
  rate(cfg.dropout, 'dropout');
  rate(cfg.hiddenDropout, 'hiddenDropout');
  const lambda = cfg.doublyStochasticLambda;
  if (typeof lambda !== 'number' || !Number.isFinite(lambda) || lambda < 0) {
    throw new DecoderConfigError(`decoder config: doublyStochasticLambda must be a finite number ≥ 0 (got ${String(lambda)})`);
  }
  if (cfg.seed !== undefined && (typeof cfg.seed !== 'number' || !Number.isInteger(cfg.seed))) {
    throw new DecoderConfigError(`decoder config: seed must be an integer (got ${String(cfg.seed)})`);
  }
  return cfg;
}
