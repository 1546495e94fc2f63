/**
 * model.json + weight shards → tf.io.ModelArtifacts (weightSpecs + one concatenated weightData),
 * reading only the shards that hold weights the caller keeps. Every way the files can be wrong
 * (missing, not JSON, not a tfjs model, a short shard) is a FileInputError naming the file.
 */
import * as tf from '../util/tf.js';
import { FileInputError } from '../util/user-error.js';
import type { ModelFiles } from './model-files.js';
import { concatBytes, weightByteLength, weightOffsets } from './weight-bytes.js';

/** What to build from a model.json: its (possibly rewritten) topology and the weights that needs. */
export interface WeightSelection {
  modelTopology: object;
  keepWeight(name: string): boolean;
}

export interface ReadArtifactsOptions {
  /** Called with model.json before any shard is read. Default: the whole model, every weight. */
  select?: (modelJson: tf.io.ModelJSON) => WeightSelection;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isManifest(v: unknown): v is tf.io.WeightsManifestConfig {
  return (
    Array.isArray(v) &&
    v.every((g) => isObject(g) && Array.isArray(g['paths']) && Array.isArray(g['weights']) && g['weights'].every(isObject))
  );
}

/** model.json's text → ModelJSON, or a FileInputError saying what is wrong with it. */
function parseModelJson(text: string, location: string): tf.io.ModelJSON {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new FileInputError(location, `is not valid JSON (${String((err as Error).message).split('\n')[0]})`);
  }
  if (!isObject(json) || !isObject(json['modelTopology'])) {
    throw new FileInputError(location, 'is not a TensorFlow.js model.json (no modelTopology)');
  }
  if (!isManifest(json['weightsManifest'])) {
    throw new FileInputError(location, 'is not a TensorFlow.js model.json (no valid weightsManifest)');
  }
  return json as unknown as tf.io.ModelJSON;
}

/** One manifest group's bytes (all its shards, in order), checked against the sizes its specs need. */
async function readGroup(files: ModelFiles, group: tf.io.WeightsManifestConfig[number]): Promise<Uint8Array> {
  const bytes = concatBytes(await Promise.all(group.paths.map((p) => files.readShard(p))));
  const needed = group.weights.reduce((n, spec) => n + weightByteLength(spec), 0);
  if (bytes.byteLength !== needed) {
    const first = files.shardLocation(group.paths[0] ?? '');
    const which = group.paths.length > 1 ? ` (with its ${group.paths.length - 1} following shards)` : '';
    const why = bytes.byteLength < needed ? 'truncated download?' : 'not the shard this model.json describes?';
    throw new FileInputError(
      first,
      `weight shard${which} holds ${bytes.byteLength} bytes but model.json's manifest needs ${needed} (${why})`,
    );
  }
  return bytes;
}

async function readKeptWeights(
  files: ModelFiles,
  manifest: tf.io.WeightsManifestConfig,
  keep: (name: string) => boolean,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer]> {
  const needed = manifest.filter((group) => group.weights.some((w) => keep(w.name)));
  const groups = await Promise.all(needed.map((group) => readGroup(files, group)));
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  needed.forEach((group, g) => {
    const offsets = weightOffsets(group.weights);
    group.weights.forEach((spec, i) => {
      if (!keep(spec.name)) return;
      const start = offsets[i]!;
      specs.push(spec);
      parts.push(groups[g]!.subarray(start, start + weightByteLength(spec)));
    });
  });
  const data = concatBytes(parts);
  // A fresh ArrayBuffer holding exactly the kept weights (never a view onto a larger shard buffer).
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  return [specs, buffer];
}

/** Reads a tfjs model (layers or graph) from `files`, keeping only the weights `select` asks for. */
export async function readArtifacts(files: ModelFiles, options: ReadArtifactsOptions = {}): Promise<tf.io.ModelArtifacts> {
  const json = parseModelJson(await files.readModelJson(), files.modelJsonLocation);
  const selection = options.select?.(json) ?? { modelTopology: json.modelTopology, keepWeight: () => true };
  return tf.io.getModelArtifactsForJSON({ ...json, modelTopology: selection.modelTopology }, (manifest) =>
    readKeptWeights(files, manifest, (name) => selection.keepWeight(name)),
  );
}

/** An IOHandler serving artifacts already in memory (what tf.loadLayersModel / mobilenet.load take). */
export function artifactsHandler(artifacts: tf.io.ModelArtifacts): tf.io.IOHandler {
  return { load: async () => artifacts };
}
