/**
 * Issue 21, speed: what the constrained beam search costs and where (session 7). On 96 COCO-1k val
 * photos, the shipped model's constraints chosen as `caption` chooses them; then, alternated over
 * rounds: plain beam search on every photo, and the constrained search on the photos that get a
 * constraint, with the time inside the decoder's step (device work) split from the rest (reading
 * the step's outputs and the search's own JavaScript). Medians in ms per photo of the whole batch.
 *   npx tsx runs/everyday/cbs-cost.ts [checkpoint] [rounds]
 */
import * as os from 'node:os';
import { beamSearch } from '../../src/search/beam.js';
import { constrainedBeamSearch } from '../../src/search/constrained-beam.js';
import { chooseConstraint } from '../../src/search/tag-guided.js';
import type { StepModel } from '../../src/search/types.js';
import { median } from '../../scripts/bench/measure.js';
import { valBatches } from './val-batches.js';
import * as tf from '../../src/util/tf.js';

const checkpoint = process.argv[2] ?? 'checkpoints/everyday';
const rounds = Number(process.argv[3] ?? 5);
const { session, batches, features, count, batchSize: B } = await valBatches(checkpoint);
const { decoder: model } = session;
const d = model.decoding;
const tagSettings = { threshold: d.tags!.threshold, margin: d.tags!.margin };
const options = { maxLength: 20, lengthPenalty: d.lengthPenalty, beamSize: d.beamSize, contextMode: d.context };
const plain = features.map((f) => model.caption(f, { ...options, context: d.context }));
const tags = features.map((f, i) => model.tagger!.tag(f, batches[i]));
const work = features.map((f, i) => {
  const chosen = plain[i]!.map((c, b) =>
    chooseConstraint(
      tags[i]![b]!,
      c.words.map((w) => w.word),
      model.vocab,
      tagSettings,
    ),
  );
  const rows = chosen.flatMap((c, b) => (c ? [b] : []));
  return { subset: tf.tidy(() => tf.gather(f, rows)) as tf.Tensor3D, constraints: rows.map((b) => chosen[b]!.ids) };
});
const constrainedPhotos = work.reduce((n, w) => n + w.constraints.length, 0);

// The decoder with its step timed.
let stepMs = 0;
const inner = model.decoder as unknown as StepModel<unknown>;
const timed: StepModel<unknown> = {
  initState: (...a) => inner.initState(...a),
  step: (s, t) => {
    const t0 = performance.now();
    const out = inner.step(s, t);
    out.logProbs.dataSync(); // the device's work done (synchronous on native)
    stepMs += performance.now() - t0;
    return out;
  },
  selectRows: (s, r) => inner.selectRows(s, r),
  disposeState: (s) => inner.disposeState(s),
};

const stages: Record<string, () => void> = {
  'plain beam (all photos)': () => features.forEach((f) => beamSearch(timed, f, options)),
  'constrained (its photos)': () =>
    work.forEach((w) => w.constraints.length && constrainedBeamSearch(timed, w.subset, w.constraints, options)),
};
const times = new Map<string, { total: number[]; step: number[] }>(Object.keys(stages).map((k) => [k, { total: [], step: [] }]));
for (const run of Object.values(stages)) run(); // warm-up
for (let r = 0; r < rounds; r++) {
  const names = Object.keys(stages);
  for (const name of r % 2 ? names.reverse() : names) {
    stepMs = 0;
    const t0 = performance.now();
    stages[name]!();
    const t = times.get(name)!;
    t.total.push((performance.now() - t0) / count);
    t.step.push(stepMs / count);
  }
}
for (const [name, t] of times) {
  const total = median(t.total);
  const step = median(t.step);
  console.log(`${name.padEnd(28)} ${total.toFixed(2)} ms/photo: decoder steps ${step.toFixed(2)}, the rest ${(total - step).toFixed(2)}`);
}
console.log(
  `${count} photos (${constrainedPhotos} constrained), batches of ${B}, beam ${options.beamSize}, ${rounds} rounds; load ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
session.dispose();
