/**
 * Issue 21 §2, the tagger study: the ImageNet classifier's COCO-class scores (imagenet.ts, through the
 * WordNet table) of one split's photos, as {imagenet: {photo id: [80 scores]}}, for fusion-study.ts.
 *   npx tsx runs/everyday/imagenet-scores.ts coco1k|flickr8k split OUT.json
 */
import '@tensorflow/tfjs-node';
import { promises as fs } from 'node:fs';
import { imagesOf, isSplit } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { modelFilesAt } from '../../src/encoder/model-files-at.js';
import { loadImagenetTagger } from '../../src/tagger/imagenet.js';
import { scoresOfFiles } from '../../src/tagger/photo-taggers.js';

const [set, split, out] = process.argv.slice(2) as [string, string, string];
if (!isSplit(split)) throw new Error(`bad split ${split}`);
const S = '../shared/datasets';
const { dataset } = await loadDataset(set === 'coco1k' ? `${S}/coco-val2014-1k/dataset_coco1k.json` : `${S}/flickr8k`);
const images = imagesOf(dataset, split);
const table = JSON.parse(await fs.readFile('data/tagger/imagenet-coco.json', 'utf8')) as { classes: { cls: string | null }[] };
const tagger = await loadImagenetTagger(
  modelFilesAt(`${S}/../weights/mobilenet_v1_0.25_224_tfhub`),
  table.classes.map((c) => c.cls),
);
const t0 = Date.now();
const scores = await scoresOfFiles(
  tagger,
  images.map((im) => im.file),
  { size: 224, policy: 'squash' },
);
await fs.writeFile(out, JSON.stringify({ imagenet: Object.fromEntries(images.map((im, i) => [im.id, scores[i]])) }));
console.error(`${images.length} photos, ${((Date.now() - t0) / images.length).toFixed(1)} ms each → ${out}`);
