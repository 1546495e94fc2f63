/**
 * Issue 21, session 9: bind a checkpoint trained on the joined study store (runs/everyday/join-stores.ts,
 * which averaged the float16 Conv2d_11 store) to the joined encoder (`npm run join-encoders`), whose own
 * store (runs/everyday/joined-extract.sh) holds the same vectors up to float16 rounding. This is what
 * `ship-encoder --rebind` does for a float16 copy of an encoder, with the measurement made first: every
 * record of the two stores is compared, and the checkpoint is rebound only if each value is within one
 * float16 step (2^-10 relative, 2^-24 absolute near zero) of the other store's.
 *   npx tsx runs/everyday/rebind-joined.ts <study store> <joined store> <checkpoint>
 * then `npm run ship-encoder -- --checkpoint <checkpoint> --from data/encoders/mobilenet_v1_1.0_pw12+coco`.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { FeatureStoreReader } from '../../src/data/feature-store.js';
import { writeFileAtomic } from '../../src/util/atomic-write.js';

const [studyDir, joinedDir, checkpoint] = process.argv.slice(2);
if (!studyDir || !joinedDir || !checkpoint) throw new Error('usage: rebind-joined.ts <study store> <joined store> <checkpoint>');
const study = await FeatureStoreReader.open(studyDir);
const joined = await FeatureStoreReader.open(joinedDir);
const modelFile = path.join(checkpoint, 'model.json');
const model = JSON.parse(await fs.readFile(modelFile, 'utf8')) as { encoder: string };
if (model.encoder !== study.header.encoder && model.encoder !== joined.header.encoder)
  throw new Error(`${checkpoint} was trained on ${model.encoder}, not on ${studyDir}`);
if (study.size !== joined.size || study.header.depth !== joined.header.depth || study.header.regions !== joined.header.regions)
  throw new Error(
    `the stores differ in shape: ${study.size}×${study.header.regions}×${study.header.depth} against ${joined.size}×${joined.header.regions}×${joined.header.depth}`,
  );
let worst = 0;
let differing = 0;
let values = 0;
for (const { key } of study.records) {
  if (!joined.has(key)) throw new Error(`${joinedDir} has no record for ${key}`);
  const [a, b] = [await study.read([key]), await joined.read([key])];
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d === 0) continue;
    differing++;
    const step = Math.max(2 ** -24, 2 ** -10 * Math.max(Math.abs(a[i]!), Math.abs(b[i]!)));
    worst = Math.max(worst, d / step);
  }
  values += a.length;
}
console.log(
  `${study.size} records, ${values} values: ${differing} differ (${((100 * differing) / values).toFixed(2)} %), the largest by ${worst.toFixed(2)} float16 steps`,
);
if (worst > 1) throw new Error('the stores differ by more than float16 rounding: not rebinding');
if (model.encoder === joined.header.encoder) console.log(`${modelFile} already names ${joined.header.encoder}`);
else {
  await writeFileAtomic(modelFile, `${JSON.stringify({ ...model, encoder: joined.header.encoder }, null, 1)}\n`);
  console.log(`rebound ${modelFile}: encoder ${model.encoder} → ${joined.header.encoder}`);
}
