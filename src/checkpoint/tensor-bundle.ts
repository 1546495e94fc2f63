/**
 * Named tensors on disk in the tfjs weights-manifest format (a manifest with a checksum, and a .bin of
 * bytes), encoded with `tf.io.encodeWeights` and decoded with `tf.io.decodeWeights`.
 * float32 tensors can be stored as float16 (tfjs's own `quantization: {dtype: 'float16'}` spec).
 */
import * as tf from '../util/tf.js';
import { concatBytes } from '../util/bytes.js';
import { encodeFloat16 } from '../util/float16.js';
import { sha256OfParts } from '../util/sha256.js';
import { FileInputError } from '../util/user-error.js';

export type WeightStorage = 'float32' | 'float16';

export interface TensorBundleManifest {
  weightsManifest: tf.io.WeightsManifestConfig;
  /** SHA-256 of the .bin file, hex: a corrupted or truncated file is rejected on load. */
  sha256: string;
  byteLength: number;
}

const sha256 = (bytes: Uint8Array): string => sha256OfParts([bytes]);

async function encode(
  tensors: Map<string, tf.Tensor>,
  storage: WeightStorage,
): Promise<{ data: Uint8Array; specs: tf.io.WeightsManifestEntry[] }> {
  if (storage === 'float32') {
    const named = [...tensors].map(([name, tensor]) => ({ name, tensor }));
    const { data, specs } = await tf.io.encodeWeights(named);
    return { data: new Uint8Array(data as ArrayBuffer), specs };
  }
  const parts: Uint8Array[] = [];
  const specs: tf.io.WeightsManifestEntry[] = [];
  for (const [name, tensor] of tensors) {
    const values = await tensor.data();
    if (tensor.dtype === 'float32') {
      const bits = encodeFloat16(values as Float32Array);
      parts.push(new Uint8Array(bits.buffer));
      specs.push({ name, shape: tensor.shape, dtype: 'float32', quantization: { dtype: 'float16' } });
    } else {
      parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
      specs.push({ name, shape: tensor.shape, dtype: tensor.dtype as 'int32' });
    }
  }
  return { data: concatBytes(parts), specs };
}

/** Encodes tensors into the bytes of `binName` and the manifest that describes them. */
export async function encodeBundle(
  tensors: Map<string, tf.Tensor>,
  storage: WeightStorage,
  binName: string,
): Promise<{ manifest: TensorBundleManifest; data: Uint8Array }> {
  const { data, specs } = await encode(tensors, storage);
  const manifest: TensorBundleManifest = {
    weightsManifest: [{ paths: [binName], weights: specs }],
    sha256: sha256(data),
    byteLength: data.byteLength,
  };
  return { manifest, data };
}

/** The file a manifest's tensors are in (its first path), for reading before `decodeBundle`. */
export function bundleFileName(manifest: TensorBundleManifest, manifestFile: string): string {
  const binName = manifest.weightsManifest?.[0]?.paths?.[0];
  if (!Array.isArray(manifest.weightsManifest?.[0]?.weights) || typeof binName !== 'string' || typeof manifest.sha256 !== 'string') {
    throw new FileInputError(manifestFile, 'no valid weights manifest');
  }
  return binName.split('/').at(-1)!;
}

/** Checks the bytes of a bundle against its manifest and returns tensors by name (caller disposes). */
export function decodeBundle(
  data: Uint8Array,
  binFile: string,
  manifestFile: string,
  manifest: TensorBundleManifest,
): Map<string, tf.Tensor> {
  bundleFileName(manifest, manifestFile);
  if (data.byteLength !== manifest.byteLength) {
    throw new FileInputError(binFile, `truncated or padded: ${data.byteLength} bytes, expected ${manifest.byteLength}`);
  }
  if (sha256(data) !== manifest.sha256) throw new FileInputError(binFile, 'corrupt: checksum does not match model.json');
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return new Map(Object.entries(tf.io.decodeWeights(buffer, manifest.weightsManifest[0]!.weights)));
}
