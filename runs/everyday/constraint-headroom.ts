/**
 * Issue 21 §3: where main objects are lost on COCO-1k val with tag-guided decoding: per photo with a
 * main object, is it named plainly, is the tagger's best non-person tag a main class, is it confident,
 * does the vocabulary have its word, did a guard stop the constraint, did the constrained caption name it.
 *   npx tsx runs/everyday/constraint-headroom.ts CHECKPOINT THRESHOLD [FEATURES]   (default the shipped line's store)
 */
import * as tf from '@tensorflow/tfjs-node';
import { checkpointFolder } from '../../src/checkpoint/checkpoint.js';
import { imagesOf } from '../../src/data/dataset.js';
import { FeatureStoreReader } from '../../src/data/feature-store.js';
import { loadDataset } from '../../src/data/load-dataset.js';
import { tokenize } from '../../src/data/tokenize.js';
import { encoderConfigOf } from '../../src/encoder/fingerprint.js';
import { imagesToBatch } from '../../src/encoder/preprocess.js';
import { classesNamed, COCO_CLASSES, PERSON_CLASS } from '../../src/data/coco-classes.js';
import { prepareImage } from '../../src/image/load.js';
import { CaptionModel } from '../../src/model/caption-model.js';
import { constraintWords } from '../../src/search/tag-guided.js';

const [ckpt, thresholdText, featuresDir = 'data/features/flickr8k-coco1k-pw12f16'] = process.argv.slice(2) as [string, string, string?];
const threshold = Number(thresholdText);
const { dataset } = await loadDataset('../shared/datasets/coco-val2014-1k/dataset_coco1k.json');
const images = imagesOf(dataset, 'val');
const store = await FeatureStoreReader.open(featuresDir);
const captioner = await CaptionModel.read(await checkpointFolder(ckpt), true);
const { inputSize, resize } = encoderConfigOf(store.header.encoder);
const counts = new Map<string, number>();
const count = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
const name = (id: number) => COCO_CLASSES.find((c) => c.id === id)!.name;
for (let i = 0; i < images.length; i += 25) {
  const chunk = images.slice(i, i + 25);
  const features = tf.tensor3d(await store.read(chunk.map((im) => im.id)), [chunk.length, store.header.regions, store.header.depth]);
  const photos = imagesToBatch(await Promise.all(chunk.map((im) => prepareImage(im.file, { size: inputSize, policy: resize }))));
  const plain = captioner.caption(features, { beamSize: 2, maxLength: 20 });
  const guided = captioner.caption(features, { beamSize: 2, maxLength: 20, tags: { threshold, margin: 1 } }, photos);
  chunk.forEach((im, b) => {
    const votes = new Map<number, number>();
    for (const r of im.captions) for (const c of classesNamed(tokenize(r))) votes.set(c, (votes.get(c) ?? 0) + 1);
    const main = [...votes].filter(([c, n]) => n >= 3 && c !== PERSON_CLASS).map(([c]) => c);
    if (!main.length) return;
    const namedPlain = classesNamed(plain[b]!.words.map((w) => w.word));
    const namedGuided = classesNamed(guided[b]!.words.map((w) => w.word));
    const top = guided[b]!.tags!.find((t) => t.id !== PERSON_CLASS)!;
    let k: string;
    if (main.some((c) => namedPlain.has(c))) k = 'A named by the plain caption';
    else if (main.some((c) => namedGuided.has(c))) k = 'B named thanks to the constraint';
    else if (!main.includes(top.id)) k = `C tagger's best is not a main class`;
    else if (top.score < threshold) k = `D best tag right but below ${threshold}`;
    else if (!constraintWords(captioner.vocab, top.id).ids.length) k = 'E best tag right, no word in the vocabulary';
    else if (!guided[b]!.constraint) k = 'F best tag right, a guard stopped it';
    else k = `G constrained to ${guided[b]!.constraint!.cls} (${guided[b]!.constraint!.used ? 'kept' : 'dropped'}) yet not named`;
    count(k);
    if (k.startsWith('C') || k.startsWith('E') || k.startsWith('F'))
      console.log(
        `${k.slice(0, 1)} ${im.id}: main ${main.map(name).join('/')}; top tag ${top.cls} ${top.score.toFixed(2)}; plain "${plain[b]!.text}"`,
      );
  });
  tf.dispose([features, photos]);
}
for (const [k, n] of [...counts].sort()) console.log(`${n.toString().padStart(3)}  ${k}`);
await store.close();
