/**
 * The encoder fingerprint: everything that decides which annotation vectors a photo gets. Decoder
 * checkpoints store it and refuse to run on another encoder (`assertSameEncoder`).
 *
 * The weights hash is SHA-256 over the *stored* bytes of exactly the weights the encoder reads (the
 * layers up to and including the annotation layer), sorted by weight name, each preceded by a header
 * line `name dtype [shape] quantization byteLength`. Shard layout, weights after the annotation layer
 * and the classifier head do not enter it: a truncated copy and the full classifier of the same
 * weights hash alike; a re-quantized or re-trained copy does not.
 */
import { sha256OfParts } from '../util/sha256.js';
import type * as tf from '../util/tf.js';
import type { ResizePolicy } from '../image/types.js';
import { EncoderMismatchError } from './errors.js';
import type { EncoderFormat, MobileNetAlpha } from './variants.js';
import { concatBytes, weightByteLength, weightOffsets } from './weight-bytes.js';

export interface EncoderFingerprint {
  /** `variant/layer/HxWxD/<size>px-<resize>/sha256:<hex>`: equal ids ⇔ same encoder. */
  id: string;
  variant: string;
  format: EncoderFormat;
  alpha: MobileNetAlpha;
  /** Annotation layer (layers format) or graph node (graph format). */
  layer: string;
  /** [height, width, depth] of the feature map: L = height·width, D = depth. */
  outputShape: [number, number, number];
  inputSize: number;
  resize: ResizePolicy;
  inputRange: [number, number];
  /** Hex SHA-256 of the weights used (see the file comment). */
  weightsSha256: string;
}

export type FingerprintFields = Omit<EncoderFingerprint, 'id'>;

function fingerprintId(f: FingerprintFields): string {
  const [h, w, d] = f.outputShape;
  return `${f.variant}/${f.layer}/${h}x${w}x${d}/${f.inputSize}px-${f.resize}/sha256:${f.weightsSha256}`;
}

export function makeFingerprint(fields: FingerprintFields): EncoderFingerprint {
  return { id: fingerprintId(fields), ...fields };
}

function asBytes(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return concatBytes(data.map((b) => new Uint8Array(b)));
}

/** SHA-256 (hex) of the weights in `artifacts` for which `use` is true (default: all of them). */
export function hashWeights(artifacts: tf.io.ModelArtifacts, use: (name: string) => boolean = () => true): string {
  const specs = artifacts.weightSpecs ?? [];
  const bytes = asBytes(artifacts.weightData);
  const offsets = weightOffsets(specs);
  const used = specs.map((spec, i) => ({ spec, start: offsets[i]! })).filter(({ spec }) => use(spec.name));
  used.sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
  const parts: (string | Uint8Array)[] = [];
  for (const { spec, start } of used) {
    const length = weightByteLength(spec);
    const quantization = spec.quantization ? JSON.stringify(spec.quantization) : '-';
    parts.push(`${spec.name} ${spec.dtype} [${spec.shape.join(',')}] ${quantization} ${length}\n`, bytes.subarray(start, start + length));
  }
  return sha256OfParts(parts);
}

const idOf = (f: EncoderFingerprint | string): string => (typeof f === 'string' ? f : f.id);

/** Splits an id into named parts; the layer may itself contain `/` (graph node names). */
interface IdParts {
  encoder: string;
  layer: string;
  'feature map': string;
  input: string;
  weights: string;
}

function idParts(id: string): IdParts {
  const parts = id.split('/');
  return {
    encoder: parts[0] ?? '',
    layer: parts.slice(1, -3).join('/'),
    'feature map': parts.at(-3) ?? '',
    input: parts.at(-2) ?? '',
    weights: parts.at(-1) ?? '',
  };
}

/**
 * What an encoder id says about how to rebuild that encoder: its variant (a key of ENCODER_VARIANTS),
 * its annotation layer, its resize policy (`…/224px-squash/…`) and the hash of its weights.
 */
export function encoderConfigOf(id: string): {
  variant: string;
  layer: string;
  resize: ResizePolicy;
  inputSize: number;
  weightsSha256: string;
} {
  const parts = idParts(id);
  return {
    variant: parts.encoder,
    layer: parts.layer,
    resize: parts.input.endsWith('-center-crop') ? 'center-crop' : 'squash',
    inputSize: Number.parseInt(parts.input, 10),
    weightsSha256: parts.weights.replace(/^sha256:/, ''),
  };
}

/** Throws EncoderMismatchError (a UserError) unless both name the same encoder. */
export function assertSameEncoder(expected: EncoderFingerprint | string, actual: EncoderFingerprint | string): void {
  const want = idOf(expected);
  const got = idOf(actual);
  if (want === got) return;
  const a = idParts(want);
  const b = idParts(got);
  const differ = (Object.keys(a) as (keyof IdParts)[]).filter((k) => a[k] !== b[k]);
  throw new EncoderMismatchError(
    `the decoder was trained on encoder ${want} but the loaded encoder is ${got} ` +
      `(they differ in: ${differ.join(', ')}); load the MobileNet weights, layer and resize policy it was trained with`,
  );
}
