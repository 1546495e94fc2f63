/**
 * Issue 21 §2, the tagger study, step 1: what SSD's COCO class head says about whole photos at
 * several views (the photo shrunk onto a gray canvas, as its anchors are 10–20 % of the input).
 * Writes every view's per-class scores of the val photos to results/everyday/detector-scores-<set>.json.
 *   npx tsx runs/everyday/detector-study.ts coco1k|flickr8k [split] [limit]
 */
import * as tf from '@tensorflow/tfjs-node';
import { promises as fs } from 'node:fs';
import { loadDataset } from '../../src/data/load-dataset.js';
import { imagesOf, isSplit } from '../../src/data/dataset.js';
import { prepareImage } from '../../src/image/load.js';
import { COCO_CLASSES } from '../../src/data/coco-classes.js';

const set = process.argv[2] ?? 'coco1k';
const split = process.argv[3] ?? 'val';
if (!isSplit(split)) throw new Error(`bad split ${split}`);
const S = '../shared/datasets';
const file = set === 'coco1k' ? `${S}/coco-val2014-1k/dataset_coco1k.json` : `${S}/flickr8k`;
const { dataset } = await loadDataset(file);
const limit = Number(process.argv[4] ?? 0);
const images = imagesOf(dataset, split).slice(0, limit > 0 ? limit : undefined);
const model = await tf.loadLayersModel('file://data/encoders/ssd_coco_tagger/model.json');

/** A view: the photo resized to size×size, pasted at the centre of a canvas×canvas gray square. */
const VIEWS = [
  { name: 'c300s90', canvas: 300, size: 90 },
  { name: 'c300s150', canvas: 300, size: 150 },
  { name: 'c300s300', canvas: 300, size: 300 },
  { name: 'c160s96', canvas: 160, size: 96 },
  { name: 'c192s128', canvas: 192, size: 128 },
  { name: 'c224s224', canvas: 224, size: 224 },
];
const GRAY = 120;

function scores(photo: tf.Tensor3D, canvas: number, size: number): number[] {
  return tf.tidy(() => {
    const small = tf.image.resizeBilinear(photo, [size, size], true); // [s, s, 3]
    const before = Math.floor((canvas - size) / 2);
    const after = canvas - size - before;
    const padded = tf.pad(tf.sub(small, GRAY), [
      [before, after],
      [before, after],
      [0, 0],
    ]); // [c, c, 3], gray = 0
    const x = tf.div(tf.add(padded, GRAY - 127.5), 127.5).expandDims(0) as tf.Tensor4D; // [1, c, c, 3] in [-1, 1]
    const logits = model.predict(x) as tf.Tensor4D; // [1, h, w, 273]
    const perAnchor = tf.reshape(logits, [-1, 91]); // [h·w·3, 91]
    const best = tf.sigmoid(tf.max(perAnchor, 0)).arraySync() as number[]; // [91]
    return COCO_CLASSES.map((c) => best[c.id]!);
  });
}

const out: { id: string; captions: string[]; views: Record<string, number[]> }[] = [];
const t0 = Date.now();
for (const img of images) {
  const prepared = await prepareImage(img.file, { size: 300 });
  const photo = tf.tensor3d(prepared.pixels, [300, 300, 3], 'int32').toFloat(); // [300, 300, 3]
  const views: Record<string, number[]> = {};
  for (const v of VIEWS) views[v.name] = scores(photo, v.canvas, v.size);
  photo.dispose();
  out.push({ id: img.id, captions: img.captions, views });
}
await fs.writeFile(
  `results/everyday/detector-scores-${set}-${split}.json`,
  JSON.stringify({ classes: COCO_CLASSES.map((c) => c.name), views: VIEWS, images: out }),
);
console.error(`${out.length} photos, ${((Date.now() - t0) / out.length).toFixed(0)} ms each (${VIEWS.length} views)`);
