/** Writing a tfjs layers model folder (model.json + one weights.bin) so that it is never half-written. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type * as tf from '../util/tf.js';

/** Replaces `out` with a tfjs layers folder (model.json + one weights.bin) holding `artifacts`. */
export async function writeLayersFolder(
  out: string,
  artifacts: {
    modelTopology: tf.io.ModelArtifacts['modelTopology'] | object;
    weightSpecs: tf.io.WeightsManifestEntry[];
    weightData: Uint8Array;
  },
  generatedBy?: string,
): Promise<void> {
  const parent = path.dirname(path.resolve(out));
  await fs.mkdir(parent, { recursive: true });
  // Written beside `out` and renamed into place: a kill leaves the old folder or the new one, never half of one.
  const tmp = await fs.mkdtemp(path.join(parent, `.${path.basename(out)}.tmp-`));
  try {
    await fs.writeFile(path.join(tmp, 'weights.bin'), artifacts.weightData);
    const modelJson = {
      format: 'layers-model',
      ...(generatedBy ? { generatedBy } : {}),
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    await fs.writeFile(path.join(tmp, 'model.json'), `${JSON.stringify(modelJson)}\n`);
    await fs.chmod(tmp, 0o755); // mkdtemp makes it private; the result is an ordinary folder
    await fs.rm(out, { recursive: true, force: true });
    await fs.rename(tmp, out);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
