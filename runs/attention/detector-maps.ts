/**
 * Issue 22 §4, attention supervision: where SSD's COCO class head sees each class a training caption
 * names, on the encoder's grid (`--grid 7` or `14`; src/tagger/detector.ts `classMaps`), written as an
 * attention-targets file for `train --attention-targets` (src/train/attention-targets.ts). Only the
 * classes an image's captions name, and only where the detector's best cell scores ≥ --min-score.
 *   npx tsx runs/attention/detector-maps.ts --dataset ../shared/datasets/flickr8k \
 *     --dataset ../shared/datasets/coco-val2014-1k/dataset_coco1k.json \
 *     --detector data/encoders/ssd_coco_tagger --out data/attention/flickr8k-coco1k-detector.json
 */
import { parseArgs } from 'node:util';
import { selectBackend } from '../../src/backend/select.js';
import { classesNamed, PERSON_CLASS } from '../../src/data/coco-classes.js';
import { loadDatasets } from '../../src/data/dataset-sources.js';
import { tokenize } from '../../src/data/tokenize.js';
import { loadLayersNetwork } from '../../src/encoder/layers-network.js';
import { modelFilesAt } from '../../src/encoder/model-files-at.js';
import { SSD_CLASS_HEAD } from '../../src/encoder/npy/mobilenet-plan.js';
import { imagesToBatch } from '../../src/encoder/preprocess.js';
import { prepareImage } from '../../src/image/load.js';
import { COCO_CLASSES } from '../../src/data/coco-classes.js';
import { classMaps, type MapGridSide } from '../../src/tagger/detector.js';
import { ATTENTION_TARGETS_FORMAT, type AttentionTargetsFile } from '../../src/train/attention-targets.js';
import { writeJsonAtomic } from '../../src/util/atomic-write.js';
import * as tf from '../../src/util/tf.js';

const { values } = parseArgs({
  options: {
    dataset: { type: 'string', multiple: true },
    detector: { type: 'string', default: 'data/encoders/ssd_coco_tagger' },
    out: { type: 'string' },
    'min-score': { type: 'string', default: '0.25' },
    splits: { type: 'string', default: 'train,val' },
    grid: { type: 'string', default: '7' },
  },
});
if (!values.dataset?.length || !values.out) throw new Error('usage: --dataset FILE [--dataset FILE] --out FILE [--detector DIR]');
const minScore = Number(values['min-score']);
const splits = new Set(values.splits!.split(','));
const side = Number(values.grid);
if (side !== 7 && side !== 14) throw new Error('--grid: 7 or 14');

await selectBackend({ requested: 'auto' });
const network = await loadLayersNetwork(modelFilesAt(values.detector!), SSD_CLASS_HEAD);
const { dataset } = await loadDatasets(values.dataset.map((file) => ({ file })));
const images = dataset.images
  .filter((im) => splits.has(im.split))
  .map((im) => ({ im, named: new Set(im.captions.flatMap((c) => [...classesNamed(tokenize(c))])) }))
  .filter((x) => x.named.size > 0);
const column = new Map(COCO_CLASSES.map((c, i) => [c.id, i]));

const out: AttentionTargetsFile = {
  format: ATTENTION_TARGETS_FORMAT,
  version: 1,
  grid: { height: side, width: side },
  source: `SSD MobileNet v1 COCO first class head (${values.detector}), whole photo and half size, ≥ ${minScore}`,
  images: {},
};
let maps = 0;
let person = 0;
const t0 = Date.now();
const BATCH = 16;
for (let i = 0; i < images.length; i += BATCH) {
  const chunk = images.slice(i, i + BATCH);
  const prepared = await Promise.all(chunk.map((x) => prepareImage(x.im.file, { size: 224, policy: 'squash' })));
  const photos = imagesToBatch(prepared); // [b, 224, 224, 3]
  const scores = classMaps(network, photos, side as MapGridSide); // [b, side, side, 80]
  const perImage = tf
    .tidy(() => tf.reshape(tf.transpose(scores, [0, 3, 1, 2]), [chunk.length, COCO_CLASSES.length, -1]))
    .arraySync() as number[][][]; // [b, 80, side²]
  tf.dispose([photos, scores]);
  chunk.forEach(({ im, named }, b) => {
    const classes: Record<string, number[]> = {};
    for (const id of named) {
      const map = perImage[b]![column.get(id)!]!;
      if (Math.max(...map) < minScore) continue;
      classes[String(id)] = map.map((v) => Math.round(v * 1000) / 1000);
      maps++;
      if (id === PERSON_CLASS) person++;
    }
    if (Object.keys(classes).length) out.images[im.id] = classes;
  });
  if ((i / BATCH) % 50 === 0)
    process.stderr.write(`${i + chunk.length}/${images.length} photos, ${maps} maps, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}
await writeJsonAtomic(values.out, out);
process.stderr.write(
  `wrote ${values.out}: ${maps} maps (${person} person) for ${Object.keys(out.images).length} of ${images.length} photos whose captions name a class, ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
);
