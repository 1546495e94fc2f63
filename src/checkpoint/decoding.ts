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
  /** Tag-guided decoding (checkpoints with a tagger): its threshold and margin; absent = plain captions. */
  tags?: { threshold: number; margin: number; classes?: number };
}

/** What decoding.json holds: the defaults, and how they were chosen (for people). */
export interface DecodingFile extends DecodingDefaults {
  chosenBy?: {
    metric: string;
    split: string;
    images: number;
    score: number;
    within?: number;
    bestScore?: number;
    candidates: { beamSize: number; lengthPenalty: number; context: ContextMode; score: number }[];
  };
}

export const BUILT_IN_DECODING: Readonly<DecodingDefaults> = { beamSize: 3, lengthPenalty: 0, context: 'expected' };

const isBeamSize = (k: number): boolean => Number.isInteger(k) && k >= 1;
const isLengthPenalty = (p: number): boolean => Number.isFinite(p) && p >= 0;
const isContext = (c: unknown): c is ContextMode => (CONTEXT_MODES as readonly unknown[]).includes(c);

/** Validates a parsed decoding.json (`file` names it in errors); undefined (no file) → the built-in defaults. */
export function parseDecoding(value: unknown, file: string): DecodingDefaults {
  if (value === undefined) return { ...BUILT_IN_DECODING };
  const v = value as Partial<DecodingFile> | null;
  if (typeof v !== 'object' || v === null || typeof v.beamSize !== 'number' || typeof v.lengthPenalty !== 'number') {
    throw new FileInputError(file, 'bad decoding defaults (needs numbers "beamSize" and "lengthPenalty")');
  }
  const bad = (problem: string) => new FileInputError(file, `bad decoding defaults: ${problem}`);
  if (!isBeamSize(v.beamSize)) throw bad(`beam size must be a positive integer, got ${v.beamSize}`);
  if (!isLengthPenalty(v.lengthPenalty)) throw bad(`length penalty must be a number ≥ 0, got ${v.lengthPenalty}`);
  const context = v.context ?? 'expected';
  if (!isContext(context)) throw bad(`context must be ${CONTEXT_MODES.join(' or ')}, got ${JSON.stringify(context)}`);
  const tags = v.tags;
  if (tags !== undefined) {
    if (
      typeof tags !== 'object' ||
      tags === null ||
      !(tags.threshold >= 0 && tags.threshold <= 1) ||
      !(tags.margin >= 0) ||
      ![undefined, 1, 2].includes(tags.classes)
    )
      throw bad('tags must be {"threshold": 0…1, "margin": ≥ 0, "classes": 1 or 2 (optional)}');
    return {
      beamSize: v.beamSize,
      lengthPenalty: v.lengthPenalty,
      context,
      tags: { threshold: tags.threshold, margin: tags.margin, ...(tags.classes === 2 ? { classes: 2 } : {}) },
    };
  }
  return { beamSize: v.beamSize, lengthPenalty: v.lengthPenalty, context };
}

export interface RequestedDecoding {
  beamSize?: number | undefined;
  lengthPenalty?: number | undefined;
  context?: ContextMode | undefined;
}

/** Checks the settings given explicitly, before anything is loaded; errors name them as `names` says. */
export function checkRequestedDecoding(
  requested: RequestedDecoding,
  names: { beamSize: string; lengthPenalty: string } = { beamSize: 'beamSize', lengthPenalty: 'lengthPenalty' },
): void {
  const { beamSize, lengthPenalty, context } = requested;
  if (context !== undefined && !isContext(context))
    throw new UserError(`context must be ${CONTEXT_MODES.join(' or ')}, got ${JSON.stringify(context)}`);
  if (beamSize !== undefined && !isBeamSize(beamSize)) throw new UserError(`${names.beamSize} must be a positive integer, got ${beamSize}`);
  if (lengthPenalty !== undefined && !isLengthPenalty(lengthPenalty))
    throw new UserError(`${names.lengthPenalty} must be a number ≥ 0, got ${lengthPenalty}`);
}

/** The settings asked for (checked by `checkRequestedDecoding`), the checkpoint's where none was given. */
export function resolveDecoding(requested: RequestedDecoding, defaults: DecodingDefaults): DecodingDefaults {
  return {
    beamSize: requested.beamSize ?? defaults.beamSize,
    lengthPenalty: requested.lengthPenalty ?? defaults.lengthPenalty,
    context: requested.context ?? defaults.context,
  };
}
