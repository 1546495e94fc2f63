/**
 * `npm run join-encoders`' work: the two networks a joined variant names, each read from its folder and
 * cut at its annotation layer, joined into one layers model (join-networks.ts) and written as an
 * encoder folder, then loaded as that variant to check the feature map it gives.
 */
import { readArtifacts } from './artifacts.js';
import { cutAtLayer } from './cut-layers.js';
import type { EncoderFingerprint } from './fingerprint.js';
import { joinNetworks, type JoinPart } from './join-networks.js';
import { loadEncoder } from './load-encoder.js';
import { modelFilesAt } from './model-files-at.js';
import { variantNamed } from './variants.js';
import { writeLayersFolder } from './layers-folder.js';

async function part(variantName: string, from: string): Promise<JoinPart> {
  const variant = variantNamed(variantName);
  if (variant.format !== 'layers') throw new Error(`only layers-format encoders can be joined; ${variant.name} is not one`);
  const files = modelFilesAt(from);
  const artifacts = await readArtifacts(files, { select: (json) => cutAtLayer(json, variant.layer, files.modelJsonLocation) });
  return { artifacts, layer: variant.layer, grid: [variant.grid.height, variant.grid.width] };
}

/** Writes the joined encoder `variantName` from its two networks' folders into `out` (replaced). */
export async function writeJoinedEncoder(
  variantName: string,
  first: string,
  second: string,
  out: string,
): Promise<{ fingerprint: EncoderFingerprint; bytes: number }> {
  const variant = variantNamed(variantName);
  if (!variant.joins) throw new Error(`encoder ${variant.name} is not a joined encoder`);
  const joined = joinNetworks(await part(variant.joins[0], first), await part(variant.joins[1], second));
  const weightData = new Uint8Array(joined.weightData as ArrayBuffer);
  await writeLayersFolder(out, { modelTopology: joined.modelTopology, weightSpecs: joined.weightSpecs ?? [], weightData });
  const encoder = await loadEncoder({ variant: variant.name, source: out });
  try {
    return { fingerprint: encoder.fingerprint, bytes: weightData.byteLength };
  } finally {
    encoder.dispose();
  }
}
