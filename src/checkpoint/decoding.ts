/**
 * A checkpoint's decoding defaults, `decoding.json` (optional): the beam size, length penalty and
 * context mode (hard-attention models: expected or argmax) chosen for it on the validation split (`npm run evaluate -- --split val --choose CIDEr-D`).
 * `caption`, `loadCaptioner` and the demo use them unless told otherwise; a checkpoint without the
 * file decodes with beam 3 and no length penalty.
 */
import { CONTEXT_MODES, type ContextMode } from '../decoder/context-mode.js';
import { FileInputError, UserError } from '../util/user-error.js';

export const DECODING_FILE = 'decoding.json';

export interface DecodingDefaults {
  /** 1 = greedy. */
  beamSize: number;
  /** Hypotheses ranked by log p / length^lengthPenalty (0 = plain log p). */
  lengthPenalty: number;
  /** What each step's context is made of (`expected` unless a hard-attention model chose `argmax`). */
  context: ContextMode;
}

/** What decoding.json holds: the defaults, and how they were chosen (for people). */
export interface DecodingFile extends DecodingDefaults {
  chosenBy?: { metric: string; split: string; images: number; score: number; within?: number; bestScore?: number; candidates: { beamSize: number; lengthPenalty: number; context: ContextMode; score: number }[] };
}

export const BUILT_IN_DECODING: Readonly<DecodingDefaults> = { beamSize: 3, lengthPenalty: 0, context: 'expected' };

/** A decoding setting's problem, or undefined when it is good (shared by flags, options and the file). */
export function decodingProblem(beamSize: number, lengthPenalty: number): string | undefined {
  if (!Number.isInteger(beamSize) || beamSize < 1) return `beam size must be a positive integer, got ${beamSize}`;
  if (!Number.isFinite(lengthPenalty) || lengthPenalty < 0) return `length penalty must be a number ≥ 0, got ${lengthPenalty}`;
  return undefined;
}

/** Validates a parsed decoding.json (`file` names it in errors); undefined (no file) → the built-in defaults. */
export function parseDecoding(value: unknown, file: string): DecodingDefaults {
  if (value === undefined) return { ...BUILT_IN_DECODING };
  const v = value as Partial<DecodingFile> | null;
  if (typeof v !== 'object' || v === null || typeof v.beamSize !== 'number' || typeof v.lengthPenalty !== 'number') {
    throw new FileInputError(file, 'bad decoding defaults (needs numbers "beamSize" and "lengthPenalty")');
  }
  const problem = decodingProblem(v.beamSize, v.lengthPenalty);
  if (problem) throw new FileInputError(file, `bad decoding defaults: ${problem}`);
  const context = v.context ?? 'expected';
  if (!CONTEXT_MODES.includes(context)) throw new FileInputError(file, `bad decoding defaults: context must be ${CONTEXT_MODES.join(' or ')}, got ${JSON.stringify(context)}`);
  return { beamSize: v.beamSize, lengthPenalty: v.lengthPenalty, context };
}

/** Settings asked for (undefined: the checkpoint's) over the checkpoint's defaults; throws a UserError naming `names`' entry. */
export function resolveDecoding(
  requested: { beamSize?: number | undefined; lengthPenalty?: number | undefined; context?: ContextMode | undefined },
  defaults: DecodingDefaults,
  names: { beamSize: string; lengthPenalty: string } = { beamSize: 'beamSize', lengthPenalty: 'lengthPenalty' },
): DecodingDefaults {
  checkRequestedDecoding(requested, names);
  return { beamSize: requested.beamSize ?? defaults.beamSize, lengthPenalty: requested.lengthPenalty ?? defaults.lengthPenalty, context: requested.context ?? defaults.context };
}

/** Checks the settings given explicitly (before anything is loaded). */
export function checkRequestedDecoding(
  requested: { beamSize?: number | undefined; lengthPenalty?: number | undefined; context?: ContextMode | undefined },
  names: { beamSize: string; lengthPenalty: string } = { beamSize: 'beamSize', lengthPenalty: 'lengthPenalty' },
): void {
  const { beamSize, lengthPenalty, context } = requested;
  if (context !== undefined && !CONTEXT_MODES.includes(context)) throw new UserError(`context must be ${CONTEXT_MODES.join(' or ')}, got ${JSON.stringify(context)}`);
  if (beamSize !== undefined && decodingProblem(beamSize, 0)) throw new UserError(`${names.beamSize} must be a positive integer, got ${beamSize}`);
  if (lengthPenalty !== undefined && decodingProblem(1, lengthPenalty)) throw new UserError(`${names.lengthPenalty} must be a number ≥ 0, got ${lengthPenalty}`);
}
