/**
 * Attention supervision (src/train/attention-targets.ts, attention-supervision.ts, the loss term in
 * decoder/loss.ts): the file, which words are supervised at which step, the term's value, that
 * training with it moves α to the target, and that `train --attention-targets` resumes exactly.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../src/backend/select.js';
import { Vocabulary } from '../src/data/vocabulary.js';
import { createDecoder } from '../src/decoder/decoder.js';
import { attentionSupervisionOf } from '../src/decoder/loss.js';
import {
  ATTENTION_TARGETS_FORMAT,
  batchAttentionTargets,
  readAttentionTargets,
  targetDistribution,
  type AttentionTargets,
} from '../src/train/attention-targets.js';
import { mulberry32 } from '../src/util/random.js';
import * as tf from '../src/util/tf.js';
import { FileInputError } from '../src/util/user-error.js';
import { makeTinyRun, runArgs, runFingerprint, trainInProcess, withFlags, type TinyRun } from './tiny-run.js';

const DOG = 18;
const TEDDY = 88;

let dir: string;
beforeAll(async () => {
  await selectBackend({ requested: 'cpu', log: () => {} });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'attention-targets-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const file = (images: Record<string, Record<string, number[]>>, grid = { height: 2, width: 2 }) => ({
  format: ATTENTION_TARGETS_FORMAT,
  version: 1,
  grid,
  source: 'test',
  images,
});

async function writeTargets(name: string, value: unknown): Promise<string> {
  const p = path.join(dir, name);
  await fs.writeFile(p, JSON.stringify(value));
  return p;
}

describe('the target of a map', () => {
  it('keeps the cells scoring at least half the best, normalised; an all-zero map has none', () => {
    expect(Array.from(targetDistribution([0.8, 0.4, 0.39, 0])!)).toEqual([0.8 / 1.2, 0.4 / 1.2, 0, 0].map(Math.fround));
    expect(targetDistribution([0, 0, 0])).toBeNull();
    const rng = mulberry32(4);
    for (let n = 0; n < 50; n++) {
      const map = Array.from({ length: 49 }, () => rng());
      const t = targetDistribution(map)!;
      const best = Math.max(...map);
      expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      map.forEach((v, i) => expect(t[i]! > 0).toBe(v >= best / 2));
      expect(t.indexOf(Math.max(...t))).toBe(map.indexOf(best)); // the peak stays the peak
    }
  });
});

describe('the attention-targets file', () => {
  it('reads maps per image and class, as target distributions', async () => {
    const p = await writeTargets('good.json', file({ im1: { [DOG]: [1, 0, 0.2, 0.6] }, im2: { [TEDDY]: [0, 0, 0, 0] } }));
    const t = await readAttentionTargets(p, 4);
    expect(t.grid).toEqual({ height: 2, width: 2 });
    expect(Array.from(t.maps.get('im1')!.get(DOG)!)).toEqual([1 / 1.6, 0, 0, 0.6 / 1.6].map(Math.fround));
    expect(t.maps.has('im2')).toBe(false); // an all-zero map supervises nothing
  });

  it.each([
    ['missing', null, /missing\.json: no such file/],
    ['grid', file({}, { height: 7, width: 7 }), /grid\.json: its maps are 7×7 = 49 regions, the features have 4/],
    ['format', { ...file({}), format: 'something/else' }, /format\.json: not an attention-targets file/],
    ['length', file({ im1: { [DOG]: [1, 0] } }), /length\.json: corrupt attention targets: images\.im1\.18 must be 4 numbers ≥ 0/],
    ['negative', file({ im1: { [DOG]: [1, 0, -1, 0] } }), /negative\.json: corrupt attention targets/],
    ['shape', { ...file({}), grid: 7 }, /shape\.json: corrupt attention targets: grid/],
  ])('a bad file (%s) is one FileInputError naming it', async (name, value, message) => {
    const p = value === null ? path.join(dir, `${name}.json`) : await writeTargets(`${name}.json`, value);
    const err = await readAttentionTargets(p, 4).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileInputError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });
});

describe("a batch's targets", () => {
  const vocab = Vocabulary.build(['a dog on a teddy bear', 'two dogs and a cat', 'a bear'], { minCount: 1 });
  const dogMap = Float32Array.from([0.5, 0.5, 0, 0]);
  const teddyMap = Float32Array.from([0, 0, 0, 1]);
  const targets: AttentionTargets = {
    grid: { height: 2, width: 2 },
    maps: new Map([
      [
        'im1',
        new Map([
          [DOG, dogMap],
          [TEDDY, teddyMap],
        ]),
      ],
    ]),
  };
  const row = (caption: string, width: number) => {
    const ids = vocab.encode(caption, 20);
    return [...ids, ...Array(width - ids.length).fill(0)];
  };

  it("supervises a class word at the step that predicts it (a mention's last word), time-major", () => {
    const width = 9; // T = 8
    const rows = [row('a dog on a teddy bear', width), row('two dogs and a cat', width), row('a dog', width)];
    const out = batchAttentionTargets(targets, vocab, ['im1', 'im1', 'other'], rows, 4);
    const B = 3;
    const at = (t: number, b: number) => Array.from(out.targets.slice((t * B + b) * 4, (t * B + b + 1) * 4));
    // caption 0: "a dog on a teddy bear" → dog is w_2 (step 1), teddy bear ends at w_6 (step 5)
    expect(out.weights[1 * B + 0]).toBe(1);
    expect(at(1, 0)).toEqual(Array.from(dogMap));
    expect(out.weights[5 * B + 0]).toBe(1);
    expect(at(5, 0)).toEqual(Array.from(teddyMap));
    // caption 1: "two dogs and a cat": dogs at step 1; the cat has no map
    expect(out.weights[1 * B + 1]).toBe(1);
    // caption 2: its image has no maps
    expect(Array.from({ length: 8 }, (_, t) => out.weights[t * B + 2])).toEqual(Array(8).fill(0));
    expect(out.count).toBe(3);
    expect(out.weights.reduce((a, b) => a + b, 0)).toBe(3);
    // every unsupervised step has an all-zero target
    for (let t = 0; t < 8; t++) for (let b = 0; b < B; b++) if (!out.weights[t * B + b]) expect(at(t, b)).toEqual([0, 0, 0, 0]);
  });

  it('"a bear" is not a teddy bear: a word names a class only through the class table', () => {
    const out = batchAttentionTargets(targets, vocab, ['im1'], [row('a bear', 4)], 4);
    expect(out.count).toBe(0);
  });
});

describe('the supervision term', () => {
  it('is strength · Σ weight · (−Σ_i target_i log α_i) / B', () => {
    const [T, B, L] = [3, 2, 4];
    const rng = mulberry32(9);
    const alphas = tf.softmax(
      tf.tensor3d(
        Array.from({ length: T * B * L }, () => rng() * 3),
        [T, B, L],
      ),
    ) as tf.Tensor3D;
    const target = [0.25, 0.25, 0.5, 0];
    const targetRows = Array.from({ length: T * B }, (_, i) => (i === 1 || i === 4 ? target : [0, 0, 0, 0])).flat();
    const weights = [0, 1, 0, 0, 1, 0];
    const got = attentionSupervisionOf(alphas, {
      targets: tf.tensor3d(targetRows, [T, B, L]),
      weights: tf.tensor2d(weights, [T, B]),
      strength: 2,
    }).dataSync()[0]!;
    const a = alphas.arraySync();
    const ce = (t: number, b: number) => -target.reduce((s, p, i) => s + p * Math.log(a[t]![b]![i]! + 1e-8), 0);
    expect(got).toBeCloseTo((2 * (ce(0, 1) + ce(2, 0))) / B, 4);
  });

  it('trained with it, the supervised word looks where its target says', () => {
    const vocab = Vocabulary.build(['a dog'], { minCount: 1 });
    const cfg = { vocabSize: vocab.size, featureDim: 3, embedDim: 4, hiddenDim: 5, attentionDim: 3, seed: 3, doublyStochasticLambda: 0 };
    const decoder = createDecoder(cfg);
    const rng = mulberry32(2);
    const features = tf.tensor3d(
      Array.from({ length: 4 * 3 }, () => rng()),
      [1, 4, 3],
    );
    const tokens = tf.tensor2d([vocab.encode('a dog', 5)], undefined, 'int32');
    const mask = tf.cast(tf.onesLike(tokens), 'float32') as tf.Tensor2D;
    const goal = Float32Array.from([0, 0, 1, 0]); // "dog" (step 1) should look at region 2
    const targets = tf.tensor3d([0, 0, 0, 0, ...goal, 0, 0, 0, 0], [3, 1, 4]);
    const weights = tf.tensor2d([0, 1, 0], [3, 1]);
    const dogAlpha = () =>
      tf.tidy(() => decoder.forward(features, tf.slice(tokens, [0, 0], [1, 3]) as tf.Tensor2D).alphas.arraySync()[0]![1]![2]!);
    const before = dogAlpha();
    const optimizer = tf.train.adam(0.05);
    for (let i = 0; i < 60; i++) {
      optimizer.minimize(() => decoder.computeLoss(features, tokens, mask, { attentionTargets: { targets, weights, strength: 5 } }).loss);
    }
    expect(before).toBeLessThan(0.4);
    expect(dogAlpha()).toBeGreaterThan(0.9);
  });
});

describe('train --attention-targets', () => {
  let tiny: TinyRun;
  let targetsFile: string;

  const train = (args: string[]) => trainInProcess([...withFlags(tiny.common, ['--epochs', '2']), ...args]);

  beforeAll(async () => {
    tiny = await makeTinyRun('attention-targets-train-');
    // The tiny set's captions name no COCO class: give its words the class table's, in a dataset of its own.
    const lines = (await fs.readFile(path.join(tiny.dir, 'data.jsonl'), 'utf8')).trim().split('\n');
    const animals = ['dog', 'cat', 'horse'];
    const rewritten = lines.map((l, i) => {
      const r = JSON.parse(l) as { captions: string[] };
      return JSON.stringify({ ...r, captions: [`a ${animals[i % 3]} on a ${i % 2 ? 'bed' : 'couch'}`] });
    });
    await fs.writeFile(path.join(tiny.dir, 'data.jsonl'), `${rewritten.join('\n')}\n`);
    const rng = mulberry32(6);
    const images: Record<string, Record<string, number[]>> = {};
    for (let i = 0; i < 20; i++) images[`img${i}`] = { [String([18, 17, 19][i % 3])]: Array.from({ length: 4 }, () => rng()) };
    targetsFile = await writeTargets('tiny-targets.json', file(images));
  });
  afterAll(async () => {
    await fs.rm(tiny.dir, { recursive: true, force: true });
  });

  it('reports its coverage, and a run cut after steps 3 and 6 resumes exactly', async () => {
    const whole = await train([...runArgs(tiny.dir, 'sup'), '--attention-targets', targetsFile, '--attention-supervision', '2']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.stderr).toContain(`attention supervision (×2): maps for 16 of 16 training images from ${targetsFile}`);
    const want = await runFingerprint(tiny.dir, 'sup');
    const plain = await train(runArgs(tiny.dir, 'plain'));
    expect(plain.code, plain.stderr).toBe(0);
    expect((await runFingerprint(tiny.dir, 'plain')).weights).not.toEqual(want.weights); // the term changes the training
    for (const k of [3, 6]) {
      const name = `sup-cut${k}`;
      const flags = [...runArgs(tiny.dir, name), '--attention-targets', targetsFile, '--attention-supervision', '2'];
      expect((await train([...flags, '--max-steps', String(k)])).code).toBe(0);
      expect((await train([...flags, '--resume'])).code).toBe(0);
      expect(await runFingerprint(tiny.dir, name)).toEqual(want);
    }
  });

  it('resuming without the targets, or with another strength, is refused', async () => {
    const flags = [...runArgs(tiny.dir, 'sup-cut3')];
    const without = await train([...flags, '--resume']);
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/--attention-targets is "" but the run .* was started with --attention-targets ".*tiny-targets\.json"/);
    const stronger = await train([...flags, '--resume', '--attention-targets', targetsFile, '--attention-supervision', '3']);
    expect(stronger.code).toBe(2);
    expect(stronger.stderr).toMatch(/--attention-supervision is 3 but the run .* was started with --attention-supervision 2/);
    const hard = await train([...runArgs(tiny.dir, 'x'), '--attention', 'hard', '--attention-targets', targetsFile]);
    expect(hard.code).toBe(2);
    expect(hard.stderr).toMatch(/--attention-targets supervises soft attention: not with --attention hard/);
  });

  it('with self-critical training: the sampled class words are supervised (a penalty is logged, the weights differ), and a cut run resumes exactly', async () => {
    const scst = (name: string, ...extra: string[]) =>
      train([
        ...runArgs(tiny.dir, name),
        '--objective',
        'scst',
        '--scst-samples',
        '3',
        '--init-from',
        path.join(tiny.dir, 'sup', 'best'),
        ...extra,
      ]);
    const targets = ['--attention-targets', targetsFile, '--attention-supervision', '5'];
    const whole = await scst('scst-sup', ...targets);
    expect(whole.code, whole.stderr).toBe(0);
    const plain = await scst('scst-plain');
    expect(plain.code, plain.stderr).toBe(0);
    const want = await runFingerprint(tiny.dir, 'scst-sup');
    expect((await runFingerprint(tiny.dir, 'scst-plain')).weights).not.toEqual(want.weights);
    const penalties = (text: string) => [...text.matchAll(/attention penalty ([\d.]+)/g)].map((m) => Number(m[1]));
    expect(penalties(whole.stderr).length).toBeGreaterThan(0);
    expect(
      penalties(whole.stderr).every((p) => p > 0),
      whole.stderr,
    ).toBe(true);
    for (const k of [2, 5]) {
      expect((await scst(`scst-sup-cut${k}`, ...targets, '--max-steps', String(k))).code).toBe(0);
      expect((await scst(`scst-sup-cut${k}`, ...targets, '--resume')).code).toBe(0);
      expect(await runFingerprint(tiny.dir, `scst-sup-cut${k}`)).toEqual(want);
    }
  });
});
