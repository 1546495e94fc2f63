/**
 * What the everyday timing scripts (tag-cost.ts, cbs-cost.ts) start from: a checkpoint opened on the
 * native backend, and COCO-1k val photos prepared for its encoder, in the encoder's batches, with
 * their annotation vectors.
 */
import { selectBackend } from '../../src/backend/select.js';
import { openSession } from '../../src/api/session.js';
import { imagesOf } from '../../src/data/dataset.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { imagesToBatch } from '../../src/encoder/preprocess.js';
import { prepareImage } from '../../src/image/load.js';
import * as tf from '../../src/util/tf.js';

export async function valBatches(checkpoint: string, photos = 96) {
  await selectBackend({ requested: 'tensorflow' });
  const session = await openSession(checkpoint, undefined);
  const { encoder } = session;
  const { dataset } = await loadDataset('../shared/datasets/coco-val2014-1k/dataset_coco1k.json');
  const files = imagesOf(dataset, 'val')
    .slice(0, photos)
    .map((im) => im.file);
  const prepared = await Promise.all(files.map((f) => prepareImage(f, encoder.imageOptions)));
  const B = encoder.batchSize;
  const batches = Array.from({ length: Math.ceil(prepared.length / B) }, (_, i) => imagesToBatch(prepared.slice(i * B, (i + 1) * B))); // [b, S, S, 3] each
  const features = batches.map((b) => tf.tidy(() => encoder.encode(b))); // [b, L, D] each
  return { session, batches, features, count: prepared.length, batchSize: B };
}
