/**
 * An encoder's weights, cut at its annotation layer (only the weights that layer reads), written as a
 * small tfjs layers folder (model.json + weights.bin) and checked to give the expected fingerprint.
 * This is how a checkpoint carries its encoder (`<checkpoint>/encoder/`): `npm run ship-encoder` and
 * `train` (for features made from local weights) both write it here.
 */
import { promises as fs } from 'node:fs';
import { encodeFloat16 } from '../util/float16.js';
import { readArtifacts } from './artifacts.js';
import { cutAtLayer } from './cut-layers.js';
import { assertSameEncoder, encoderConfigOf, type EncoderFingerprint } from './fingerprint.js';
import { loadEncoder } from './load-encoder.js';
import { modelFilesAt } from './model-files-at.js';
import { writeLayersFolder } from './layers-folder.js';
import { variantNamed } from './variants.js';

export interface WriteEncoderOptions {
  /** float16 halves the size but is another encoder (rounded weights): the caller must rebind. */
  dtype?: 'float32' | 'float16';
  /** The fingerprint the folder must give; undefined = no check (the caller rebinds to what it gives). */
  expect?: string | undefined;
}

/**
 * Writes the encoder `encoderId` names, from the weights at `from` (folder or URL), into `out`
 * (replaced). Returns the fingerprint the written folder gives and its size. On a mismatch with
 * `expect`, nothing is left at `out`.
 */
export async function writeEncoderFolder(
  encoderId: string,
  from: string,
  out: string,
  options: WriteEncoderOptions = {},
): Promise<{ fingerprint: EncoderFingerprint; bytes: number }> {
  const config = encoderConfigOf(encoderId);
  if (variantNamed(config.variant).format !== 'layers')
    throw new Error(`only layers-format encoders can be carried in a checkpoint; ${config.variant} is not one`);
  const files = modelFilesAt(from);
  const artifacts = await readArtifacts(files, { select: (json) => cutAtLayer(json, config.layer, files.modelJsonLocation) });
  let bytes: Uint8Array = new Uint8Array(artifacts.weightData as ArrayBuffer);
  let specs = artifacts.weightSpecs!;
  if (options.dtype === 'float16') {
    if (specs.some((s) => s.dtype !== 'float32' || s.quantization))
      throw new Error(`${from}: float16 storage converts float32 weights only`);
    bytes = new Uint8Array(encodeFloat16(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)).buffer);
    specs = specs.map((s) => ({ ...s, quantization: { dtype: 'float16' as const, original_dtype: 'float32' as const } }));
  }
  await writeLayersFolder(out, { modelTopology: artifacts.modelTopology, weightSpecs: specs, weightData: bytes });
  const encoder = await loadEncoder({ ...config, source: out });
  try {
    if (options.expect !== undefined) assertSameEncoder(options.expect, encoder.fingerprint);
    return { fingerprint: encoder.fingerprint, bytes: bytes.byteLength };
  } catch (err) {
    await fs.rm(out, { recursive: true, force: true });
    throw err;
  } finally {
    encoder.dispose();
  }
}
