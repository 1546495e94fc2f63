/**
 * Issue 21, speed: where a tagged caption's time goes, stage by stage, on batches of prepared photos
 * (the encoder, each detector view, ImageNet, the caption head with the fusion, plain beam 2 and beam 3,
 * the whole tagged caption), interleaved over rounds in one process; medians in ms/photo.
 *   npx tsx runs/everyday/tag-cost.ts [checkpoint] [rounds]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { loadDetector } from '../../src/tagger/photo-taggers.js';
import { median } from '../../scripts/bench/measure.js';
import { valBatches } from './val-batches.js';
import * as tf from '../../src/util/tf.js';

const checkpoint = process.argv[2] ?? 'checkpoints/everyday';
const rounds = Number(process.argv[3] ?? 5);
const { session, batches, features, count, batchSize: B } = await valBatches(checkpoint);
const { decoder, encoder } = session;
const tagger = decoder.tagger!;
const p = tagger.photoTaggers!;
const d = decoder.decoding;
const tags = { threshold: d.tags!.threshold, margin: d.tags!.margin };
const settings = { beamSize: d.beamSize, lengthPenalty: d.lengthPenalty, context: d.context, maxLength: 20 };
// The shipped detector once per view, to time each view alone.
const perView = await Promise.all(p.detector!.views.map((v) => loadDetector(path.join(checkpoint, 'detector'), [v])));

const stages: Record<string, () => void> = {
  encoder: () => batches.forEach((b) => tf.tidy(() => encoder.encode(b)).dispose()),
  ...Object.fromEntries(
    perView.map((one) => [
      `detector ${one.views[0]!.canvas}:${one.views[0]!.size}`,
      () => batches.forEach((b) => tf.tidy(() => one.scores(b).dataSync())),
    ]),
  ),
  imagenet: () => batches.forEach((b) => tf.tidy(() => p.imagenet!.scores(b).dataSync())),
  'tagger whole (head + networks + fusion)': () => features.forEach((f, i) => tagger.tag(f, batches[i])),
  'beam 2': () => features.forEach((f) => decoder.caption(f, { ...settings, beamSize: 2 })),
  'beam 3': () => features.forEach((f) => decoder.caption(f, { ...settings, beamSize: 3 })),
  'beam 3 + tags (decoding and tagger)': () => features.forEach((f, i) => decoder.caption(f, { ...settings, tags }, batches[i])),
};
const times = new Map<string, number[]>(Object.keys(stages).map((k) => [k, []]));
for (const run of Object.values(stages)) run(); // warm-up
for (let r = 0; r < rounds; r++) {
  const names = Object.keys(stages);
  for (const name of r % 2 ? names.reverse() : names) {
    const t0 = performance.now();
    stages[name]!();
    times.get(name)!.push((performance.now() - t0) / count);
  }
}
for (const [name, t] of times) console.log(`${name.padEnd(40)} ${median(t).toFixed(2)} ms/photo`);
console.log(
  `${count} photos, batches of ${B}, ${rounds} rounds; load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
perView.forEach((one) => one.dispose());
session.dispose();
