/**
 * Joining networks that look at the photo (the detector, detector.ts; the ImageNet classifier,
 * imagenet.ts) to a trained caption head: run them on the validation photos, fit the fusion there
 * (fit-fusion.ts; person excluded, it is never a constraint), and copy their files into the
 * checkpoint. The fusion is chosen on val like any decoding setting: the caption head's own training
 * photos would overrate it.
 */
import * as tf from '../util/tf.js';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadLayersNetwork } from '../encoder/layers-network.js';
import { modelFilesAt } from '../encoder/model-files-at.js';
import { SSD_CLASS_HEAD } from '../encoder/npy/mobilenet-plan.js';
import { imagesToBatch } from '../encoder/preprocess.js';
import { COCO_CLASSES, PERSON_CLASS } from '../data/coco-classes.js';
import { prepareImage } from '../image/load.js';
import type { ResizePolicy } from '../image/types.js';
import { UserError } from '../util/user-error.js';
import { DetectorTagger, type DetectorView } from './detector.js';
import { fitFusion, type FusionExample } from './fit-fusion.js';
import type { ImagenetTagger } from './imagenet.js';
import { safeLogit, type TagFusion } from './tagger.js';

/**
 * `--views 160:96,224:224/2` → [{canvas: 160, size: 96}, {canvas: 224, size: 224, pool: 2}] (`/K`: the
 * trunk's cells averaged K×K, the view a joined encoder's pass holds).
 */
export function parseViews(text: string): DetectorView[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\d+):(\d+)(?:\/(\d+))?\s*$/.exec(part);
    const canvas = Number(m?.[1]);
    const size = Number(m?.[2]);
    const pool = m?.[3] === undefined ? 1 : Number(m[3]);
    if (!m || size < 16 || size > canvas || pool < 1)
      throw new UserError(
        `--views: "${part}" is not CANVAS:SIZE or CANVAS:SIZE/POOL with 16 ≤ SIZE ≤ CANVAS and POOL ≥ 1 (e.g. 160:96, 224:224/2)`,
      );
    return { canvas, size, ...(pool > 1 ? { pool } : {}) };
  });
}

export async function loadDetector(dir: string, views: readonly DetectorView[]): Promise<DetectorTagger> {
  return new DetectorTagger(await loadLayersNetwork(modelFilesAt(dir), SSD_CLASS_HEAD), views);
}

/** Anything that scores photos [B, S, S, 3] (0..255) → [B, 80]. */
type PhotoScorer = Pick<DetectorTagger | ImagenetTagger, 'scores'>;

/** A photo tagger's scores [N][80] of photo files, prepared as the encoder's input. */
export async function scoresOfFiles(
  tagger: PhotoScorer,
  files: readonly string[],
  image: { size: number; policy: ResizePolicy },
  batchSize = 16,
): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < files.length; i += batchSize) {
    const prepared = await Promise.all(files.slice(i, i + batchSize).map((f) => prepareImage(f, image)));
    const photos = imagesToBatch(prepared); // [b, S, S, 3]
    const scores = tagger.scores(photos); // [b, 80]
    out.push(...(scores.arraySync() as number[][]));
    tf.dispose([photos, scores]);
  }
  return out;
}

/**
 * The fusion fitted on photos: caption-head logits [N][80] (COCO_CLASSES order), each photo tagger's
 * scores [N][80], labels [N][80].
 */
export function fitFusionOn(
  captionLogits: readonly (readonly number[])[],
  sources: { detector?: readonly (readonly number[])[]; imagenet?: readonly (readonly number[])[] },
  labels: readonly (readonly number[])[],
): TagFusion {
  const person = COCO_CLASSES.findIndex((c) => c.id === PERSON_CLASS);
  const names = (['detector', 'imagenet'] as const).filter((k) => sources[k] !== undefined);
  const logits = names.map((k) => tf.tidy(() => safeLogit(tf.tensor2d(sources[k] as number[][])).arraySync() as number[][]));
  const examples: FusionExample[] = captionLogits.flatMap((row, n) =>
    row.flatMap((z, c) =>
      c === person ? [] : [{ x: [z, ...logits.map((l) => l[n]![c]!)], label: labels[n]![c] ? (1 as const) : (0 as const) }],
    ),
  );
  const { weights, bias } = fitFusion(examples);
  return { caption: weights[0]!, ...Object.fromEntries(names.map((k, i) => [k, weights[i + 1]!])), bias };
}

/** Copies a model's folder (model.json + weight files) to `<checkpoint>/<folder>`, replacing it whole. */
export async function copyModelFolder(from: string, checkpointDir: string, folder: string): Promise<void> {
  const dest = path.join(checkpointDir, folder);
  const tmp = await fs.mkdtemp(path.join(checkpointDir, `.${folder}.tmp-`));
  try {
    await fs.chmod(tmp, 0o755);
    for (const name of await fs.readdir(from)) await fs.copyFile(path.join(from, name), path.join(tmp, name));
    await fs.rm(dest, { recursive: true, force: true });
    await fs.rename(tmp, dest);
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
