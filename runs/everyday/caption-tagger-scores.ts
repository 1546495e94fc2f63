/**
 * Issue 21 §2, the tagger study: the caption-data tagger's scores (a checkpoint's tagger.json on its
 * feature store) for one split, as {photo id: [80 scores]}, for detector-table.ts to compare and fuse.
 *   npx tsx runs/everyday/caption-tagger-scores.ts CHECKPOINT FEATURES coco1k|flickr8k split OUT.json
 */
import * as tf from '@tensorflow/tfjs-node';
import { promises as fs } from 'node:fs';
import { folderFiles } from '../../src/checkpoint/checkpoint.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { imagesOf, isSplit } from '../../src/data/dataset.js';
import { FeatureStoreReader } from '../../src/data/feature-store.js';
import { readTagger } from '../../src/tagger/tagger-file.js';
import { pooledFeatures } from '../../src/train/train-tagger.js';

const [ckpt, features, set, split, out] = process.argv.slice(2) as [string, string, string, string, string];
if (!isSplit(split)) throw new Error(`bad split ${split}`);
const S = '../shared/datasets';
const { dataset } = await loadDataset(set === 'coco1k' ? `${S}/coco-val2014-1k/dataset_coco1k.json` : `${S}/flickr8k`);
const tagger = await readTagger(folderFiles(ckpt));
if (!tagger) throw new Error(`${ckpt} has no tagger`);
const store = await FeatureStoreReader.open(features);
const ids = imagesOf(dataset, split)
  .map((im) => im.id)
  .filter((id) => store.has(id));
const x = await pooledFeatures(store, ids);
const scores = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(x, tagger.weights.kernel), tagger.weights.bias)).arraySync() as number[][]);
await fs.writeFile(out, JSON.stringify({ caption: Object.fromEntries(ids.map((id, i) => [id, scores[i]])) }));
await store.close();
console.error(`${ids.length} photos → ${out}`);
