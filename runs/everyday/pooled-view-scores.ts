/**
 * Issue 21, session 9: can a joined encoder (conv_pw_12 beside the detector's Conv2d_11 averaged 2×2,
 * `npm run join-encoders`) stand in for the detector's whole-photo view? SSD's class head is a 1×1
 * convolution, so on the averaged trunk it gives each 7×7 cell the mean of its 2×2 cells' logits; the
 * "pooled" view scores a class by its best 7×7 cell and anchor. It is computed here from the joined
 * feature store for the val photos the fusion study reads, into results/everyday/pooled-view-<set>-val.json.
 *   npx tsx runs/everyday/pooled-view-scores.ts data/features/flickr8k-coco1k-joined7 checkpoints/everyday/detector
 */
import { promises as fs } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { COCO_CLASSES } from '../../src/data/coco-classes.js';
import { FeatureStoreReader } from '../../src/data/feature-store.js';
import { readArtifacts } from '../../src/encoder/artifacts.js';
import { modelFilesAt } from '../../src/encoder/model-files-at.js';
import { SSD_CLASS_HEAD } from '../../src/encoder/npy/mobilenet-plan.js';
import { ANCHORS, SSD_CLASSES } from '../../src/tagger/detector.js';

const [storeDir, detectorDir] = process.argv.slice(2);
if (!storeDir || !detectorDir) throw new Error('usage: pooled-view-scores.ts <joined store> <detector folder>');
const store = await FeatureStoreReader.open(storeDir);
const artifacts = await readArtifacts(modelFilesAt(detectorDir));
const weights = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs!);
const kernel = tf.reshape(weights[`${SSD_CLASS_HEAD}/kernel`]!, [512, ANCHORS * SSD_CLASSES]); // [512, 273]
const bias = weights[`${SSD_CLASS_HEAD}/bias`]!; // [273]
const { regions: L, depth: D } = store.header;
for (const set of ['coco1k', 'flickr8k']) {
  const det = JSON.parse(await fs.readFile(`results/everyday/detector-scores-${set}-val.json`, 'utf8')) as { images: { id: string }[] };
  const pooled: Record<string, number[]> = {};
  for (const { id } of det.images) {
    const values = await store.read([id]); // [49·1536]
    const scores = tf.tidy(() => {
      const f = tf.tensor2d(values, [L, D]); // [49, 1536]
      const coco = tf.slice(f, [0, D - 512], [L, 512]); // [49, 512] the averaged detector trunk
      const logits = tf.reshape(tf.add(tf.matMul(coco, kernel), bias), [L * ANCHORS, SSD_CLASSES]); // [147, 91]
      const best = tf.sigmoid(tf.max(logits, 0)); // [91]
      return tf
        .gather(
          best,
          COCO_CLASSES.map((c) => c.id),
        )
        .arraySync() as number[]; // [80]
    });
    pooled[id] = scores;
  }
  await fs.writeFile(`results/everyday/pooled-view-${set}-val.json`, `${JSON.stringify({ pooled })}\n`);
  console.log(`${set}: ${Object.keys(pooled).length} photos`);
}
