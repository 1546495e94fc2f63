/**
 * Tag-guided decoding end to end, and `--explain`, with the shipped model: a checkpoint given a tagger
 * that is sure of one class (its bias) and a decoding.json that turns tags on captions with a word of
 * that class; `--no-tags` and `tags: false` give the plain caption; the guards hold (person is never a
 * constraint, nor a class the plain caption names); `--explain` scores a given caption and its
 * log-likelihood equals the sum of its words' and <end>'s log p.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner } from '../src/api/node.js';
import { selectBackend } from '../src/backend/select.js';
import { Vocabulary } from '../src/data/vocabulary.js';
import { COCO_CLASSES } from '../src/data/coco-classes.js';
import { chooseConstraint, keepConstrained } from '../src/search/tag-guided.js';
import { encodeTagger } from '../src/tagger/tagger-file.js';
import { runCaptionCli } from './cli-helpers.js';
import { giveTagger } from './tagged-checkpoint.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PHOTO = path.join(repoRoot, 'docs', 'examples', 'photos', 'motorcycle_left.png');

describe('the guards of tag-guided decoding', () => {
  const vocab = Vocabulary.build(['a dog and a cat on a bike with a man', 'a giraffe', 'a dog'], { minCount: 1 });
  const tag = (cls: string, score: number) => ({ cls, id: COCO_CLASSES.find((c) => c.name === cls)!.id, word: cls, score });

  it('person is never a constraint; a class the plain caption names stops it; unknown words are skipped', () => {
    const s = { threshold: 0.5, margin: 1 };
    expect(chooseConstraint([tag('person', 0.99), tag('cat', 0.8)], ['a', 'dog'], vocab, s)?.cls).toBe('cat');
    expect(chooseConstraint([tag('dog', 0.8), tag('cat', 0.7)], ['a', 'dog'], vocab, s)).toBeUndefined(); // the best tag is named
    expect(chooseConstraint([tag('cat', 0.8), tag('dog', 0.8)], ['a', 'dog'], vocab, s)).toBeUndefined(); // a competitor scored as high is named
    expect(chooseConstraint([tag('cat', 0.8), tag('dog', 0.7)], ['a', 'dog'], vocab, s)?.cls).toBe('cat'); // a weaker competitor is named: still constrain
    expect(chooseConstraint([tag('cat', 0.8), tag('giraffe', 0.7)], ['a', 'dog'], vocab, { ...s, classes: 2 })).toMatchObject({
      cls: 'cat',
      classes: ['cat', 'giraffe'],
      words: ['cat', 'giraffe'],
    });
    expect(chooseConstraint([tag('cat', 0.4)], ['a', 'dog'], vocab, s)).toBeUndefined(); // not confident
    expect(chooseConstraint([tag('zebra', 0.9), tag('bicycle', 0.8)], ['a', 'dog'], vocab, s)).toMatchObject({
      cls: 'bicycle',
      words: ['bike'],
    }); // zebra: no word in the vocabulary
  });

  it('the constrained caption is kept only within the margin per word', () => {
    const plain = { logProb: -6, words: [1, 2, 3, 4, 5], finished: true }; // −1 per step
    expect(keepConstrained(plain, { logProb: -9, words: [1, 2, 3, 4, 5], finished: true }, 0.6)).toBe(true); // −1.5
    expect(keepConstrained(plain, { logProb: -9, words: [1, 2, 3, 4, 5], finished: true }, 0.4)).toBe(false);
    expect(keepConstrained(plain, { logProb: -2, words: [1], finished: false }, 9)).toBe(false); // unfinished
    expect(keepConstrained(plain, undefined, 9)).toBe(false);
  });
});

describe('a checkpoint with a tagger sure of "bicycle"', () => {
  let dir = '';
  beforeAll(async () => {
    await selectBackend({ requested: 'wasm', log: () => {} });
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tag-guided-'));
    await fs.cp(path.join(repoRoot, 'checkpoints', 'flickr8k'), dir, { recursive: true });
    const C = COCO_CLASSES.length;
    const bias = COCO_CLASSES.map((c) => (c.name === 'bicycle' ? 6 : -6)); // σ: 0.998 vs 0.002
    await giveTagger(dir, encodeTagger({ kernel: tf.zeros([2048, C]) as tf.Tensor2D, bias: tf.tensor1d(bias) }, { test: true }), {
      threshold: 0.5,
      margin: 100,
    });
  });
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('caption names the tagged object; --no-tags is the plain caption; --json says what happened', () => {
    const plain = runCaptionCli([PHOTO, '--checkpoint', dir, '--no-tags', '-q']);
    const tagged = runCaptionCli([PHOTO, '--checkpoint', dir, '--json', '-q']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(tagged.code, tagged.stderr).toBe(0);
    const original = runCaptionCli([PHOTO, '--checkpoint', path.join(repoRoot, 'checkpoints', 'flickr8k'), '-q']); // the model this test's checkpoint copies
    expect(plain.stdout.split('\t')[1]).toBe(original.stdout.split('\t')[1]);
    const record = JSON.parse(tagged.stdout) as {
      caption: string;
      tags: { cls: string; word: string; score: number }[];
      constraint: { cls: string; words: string[]; used: boolean };
    };
    expect(record.tags[0]).toEqual({ cls: 'bicycle', word: 'bicycle', score: expect.closeTo(0.9975, 3) });
    expect(record.constraint).toMatchObject({ cls: 'bicycle', classes: ['bicycle'], used: true });
    expect(record.caption.split(' ').some((w) => record.constraint.words.includes(w))).toBe(true);
    expect(plain.stdout).not.toMatch(/\b(bicycle|bike|bikes|bicycles)\b/);
  }, 120_000);

  it('the API: tags per call, off with tags: false; explain scores a caption', async () => {
    const captioner = await loadCaptioner({ checkpoint: dir, backend: 'wasm' });
    try {
      const [tagged] = await captioner.caption(PHOTO);
      const [plain] = await captioner.caption(PHOTO, { tags: false });
      const [greedy] = await captioner.caption(PHOTO, { tags: false, beamSize: 1 });
      expect(tagged!.constraint?.used).toBe(true);
      expect(plain!.constraint).toBeUndefined();
      expect(plain!.tags).toBeUndefined();
      expect(greedy!.text.length).toBeGreaterThan(0);
      const [e1, e2] = await captioner.explain(PHOTO, [tagged!.text, 'a giraffe eats a dog']);
      expect(e1!.logLikelihood).toBeCloseTo(tagged!.logProb, 3); // teacher forcing the search's own words gives its log p
      expect(e1!.logLikelihood).toBeGreaterThan(e2!.logLikelihood);
      expect(e2!.outOfVocabulary).toEqual(['giraffe']);
      expect(e2!.words.map((w) => w.unknown)).toEqual([false, true, false, false, false]);
      for (const w of e1!.words) expect(w.alpha.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 4);
    } finally {
      captioner.dispose();
    }
  }, 120_000);

  it('caption --explain: text and JSON; log-likelihood = Σ log p of its words and <end>', () => {
    const text = runCaptionCli([PHOTO, '--checkpoint', dir, '--explain', 'a man rides a red motorcycle', '-q']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/\ta man rides a red motorcycle\tlog-likelihood -\d+\.\d\d \(a -\d\.\d\d, man /);
    const json = runCaptionCli([PHOTO, '--checkpoint', dir, '--explain', 'a man rides a red motorcycle', '--json', '-q']);
    const r = JSON.parse(json.stdout) as { words: { logProb: number }[]; explained: { logLikelihood: number; outOfVocabulary: string[] } };
    expect(r.words).toHaveLength(6);
    expect(r.explained.outOfVocabulary).toEqual([]);
    expect(r.explained.logLikelihood).toBeLessThan(r.words.reduce((s, w) => s + w.logProb, 0)); // plus log p(<end>) < 0
  }, 120_000);
});
