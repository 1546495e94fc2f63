/** Byte layout of tfjs weight shards: how many bytes each weight takes, where it starts. */
import type * as tf from '../util/tf.js';

const BYTES_PER_VALUE: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  // Quantized storage types (`quantization.dtype`).
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Stored size of one weight; throws for string weights, whose size is only known by parsing them. */
export function weightByteLength(spec: tf.io.WeightsManifestEntry): number {
  const stored = spec.quantization?.dtype ?? spec.dtype;
  const bytes = BYTES_PER_VALUE[stored];
  if (bytes === undefined) throw new Error(`weight ${spec.name}: unsupported stored dtype ${stored}`);
  return spec.shape.reduce((n, d) => n * d, 1) * bytes;
}

/** Where each weight starts in a buffer holding `specs` back to back. */
export function weightOffsets(specs: readonly tf.io.WeightsManifestEntry[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const spec of specs) {
    offsets.push(at);
    at += weightByteLength(spec);
  }
  return offsets;
}

export { concatBytes } from '../util/bytes.js';
