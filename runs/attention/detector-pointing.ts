/**
 * Issue 22 §4: how well the attention-supervision source itself points, on the grounding benchmark's
 * words (coco-mini-train2017, the class words of the 5 reference captions): the detector's class map
 * (src/tagger/detector.ts `classMaps`) in place of α, raw and as the training target (cells ≥ half
 * the best). Words whose class the detector does not see (best cell < 0.25) are counted apart.
 *   npx tsx runs/attention/detector-pointing.ts
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../../src/backend/select.js';
import { COCO_CLASSES, findClassMentions } from '../../src/data/coco-classes.js';
import { tokenize } from '../../src/data/tokenize.js';
import { loadLayersNetwork } from '../../src/encoder/layers-network.js';
import { modelFilesAt } from '../../src/encoder/model-files-at.js';
import { SSD_CLASS_HEAD } from '../../src/encoder/npy/mobilenet-plan.js';
import { imagesToBatch } from '../../src/encoder/preprocess.js';
import { boxTarget, scoreMap, type Box } from '../../src/eval/box-grounding.js';
import { prepareImage } from '../../src/image/load.js';
import { classMaps } from '../../src/tagger/detector.js';
import { targetDistribution } from '../../src/train/attention-targets.js';
import * as tf from '../../src/util/tf.js';

const MAP_GRID = { height: 7, width: 7 } as const;

const root = '../shared/datasets/coco-mini-train2017';
const instances = JSON.parse(await fs.readFile(`${root}/annotations/instances_train2017.json`, 'utf8')) as {
  images: { id: number; file_name: string }[];
  annotations: { image_id: number; category_id: number; bbox: [number, number, number, number] }[];
};
const captions = JSON.parse(await fs.readFile(`${root}/annotations/captions_train2017.json`, 'utf8')) as {
  annotations: { image_id: number; caption: string }[];
};
await selectBackend({ requested: 'auto' });
const network = await loadLayersNetwork(modelFilesAt('data/encoders/ssd_coco_tagger'), SSD_CLASS_HEAD);
const column = new Map(COCO_CLASSES.map((c, i) => [c.id, i]));
const sums = { words: 0, seen: 0, raw: 0, target: 0, rawMass: 0, targetMass: 0, unseenRaw: 0 };
for (const im of instances.images) {
  const boxes = new Map<number, Box[]>();
  for (const a of instances.annotations.filter((a) => a.image_id === im.id)) {
    const [x, y, width, height] = a.bbox;
    boxes.set(a.category_id, [...(boxes.get(a.category_id) ?? []), { x, y, width, height }]);
  }
  if (!boxes.size) continue;
  const prepared = await prepareImage(path.join(root, 'train2017', im.file_name), { size: 224, policy: 'squash' });
  const photos = imagesToBatch([prepared]);
  const maps = classMaps(network, photos);
  const perClass = tf.tidy(() => tf.reshape(tf.transpose(maps, [0, 3, 1, 2]), [COCO_CLASSES.length, -1])).arraySync() as number[][];
  tf.dispose([photos, maps]);
  for (const c of captions.annotations.filter((c) => c.image_id === im.id)) {
    for (const m of findClassMentions(tokenize(c.caption))) {
      const classBoxes = boxes.get(m.cls.id);
      if (!classBoxes) continue;
      const target = boxTarget(classBoxes, { grid: MAP_GRID, region: prepared.region });
      if (target.share === 0) continue;
      const map = perClass[column.get(m.cls.id)!]!;
      const raw = scoreMap(map, target);
      sums.words++;
      if (Math.max(...map) < 0.25) {
        sums.unseenRaw += raw.pointing;
        continue;
      }
      const t = scoreMap(Array.from(targetDistribution(map)!), target);
      sums.seen++;
      sums.raw += raw.pointing;
      sums.rawMass += raw.massRatio;
      sums.target += t.pointing;
      sums.targetMass += t.massRatio;
    }
  }
}
const f = (x: number, n: number) => (x / n).toFixed(3);
console.log(`${sums.words} reference class words; the detector sees ${sums.seen} (best cell ≥ 0.25)`);
console.log(
  `seen: pointing raw map ${f(sums.raw, sums.seen)}, target ${f(sums.target, sums.seen)}; mass ratio raw ${f(sums.rawMass, sums.seen)}, target ${f(sums.targetMass, sums.seen)}`,
);
console.log(`unseen: pointing raw map ${f(sums.unseenRaw, sums.words - sums.seen)}`);
