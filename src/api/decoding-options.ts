/**
 * The decoding settings of one `caption` call, in Node and the browser alike: the call's options, else
 * the load options, else the checkpoint's decoding.json, else the built-in defaults. Checked before use.
 */
import { checkRequestedDecoding, resolveDecoding } from '../checkpoint/decoding.js';
import type { CaptionModel, DecodeSettings } from '../model/caption-model.js';
import { UserError } from '../util/user-error.js';
import type { CaptionerInfo, DecodingOptions } from './types.js';

export function checkDecodingOptions(o: DecodingOptions): void {
  checkRequestedDecoding(o);
  if (o.maxLength !== undefined && (!Number.isInteger(o.maxLength) || o.maxLength < 1))
    throw new UserError(`maxLength must be a positive integer, got ${o.maxLength}`);
}

export function decodeSettings(decoder: CaptionModel, atLoad: DecodingOptions, perCall: DecodingOptions = {}): DecodeSettings {
  checkDecodingOptions(perCall);
  const o = { ...atLoad, ...Object.fromEntries(Object.entries(perCall).filter(([, v]) => v !== undefined)) } as DecodingOptions;
  const { beamSize, lengthPenalty, context } = resolveDecoding(o, decoder.decoding);
  const tags = o.tags !== false && decoder.tagger ? decoder.decoding.tags : undefined;
  return { beamSize, lengthPenalty, context, maxLength: o.maxLength ?? 20, tags };
}

/** `captioner.info`, in Node and the browser alike: what the loaded model decodes with by default. */
export function captionerInfo<B extends string>(
  checkpoint: string,
  decoder: CaptionModel,
  backend: B,
  defaults: DecodeSettings,
): CaptionerInfo<B> {
  return {
    checkpoint,
    encoder: decoder.encoderId,
    backend,
    beamSize: defaults.beamSize,
    lengthPenalty: defaults.lengthPenalty ?? 0,
    context: defaults.context ?? 'expected',
    maxLength: defaults.maxLength,
    tags: defaults.tags !== undefined,
  };
}
