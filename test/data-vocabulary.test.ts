import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { END_ID, PAD_ID, padIds, SPECIAL_TOKENS, START_ID, UNK_ID, Vocabulary } from '../src/data/vocabulary.js';
import { loadVocabulary, saveVocabulary } from '../src/data/vocabulary-file.js';
import { FileInputError } from '../src/util/user-error.js';

const CAPTIONS = ['a dog runs', 'a cat runs', 'a dog sleeps', 'the bird', 'a zebra'];

describe('Vocabulary', () => {
  it('orders special tokens, then words by count desc then alphabetically', () => {
    const v = Vocabulary.build(CAPTIONS);
    expect(v.toJSON().words).toEqual([...SPECIAL_TOKENS, 'a', 'dog', 'runs', 'bird', 'cat', 'sleeps', 'the', 'zebra']);
    expect([v.id('<pad>'), PAD_ID, START_ID, END_ID, UNK_ID]).toEqual([UNK_ID, 0, 1, 2, 3]);
    expect(v.size).toBe(12);
    expect(v.count('a')).toBe(4);
  });

  it('is deterministic whatever the caption order', () => {
    expect(Vocabulary.build([...CAPTIONS].reverse()).toJSON()).toEqual(Vocabulary.build(CAPTIONS).toJSON());
  });

  it('drops words below minCount to <unk> and counts them', () => {
    const v = Vocabulary.build(CAPTIONS, { minCount: 2 });
    expect(v.toJSON().words).toEqual([...SPECIAL_TOKENS, 'a', 'dog', 'runs']);
    expect(v.toJSON().counts[UNK_ID]).toBe(5); // cat, sleeps, the, bird, zebra
    expect(v.has('cat')).toBe(false);
    expect(v.id('cat')).toBe(UNK_ID);
    expect(Vocabulary.build(CAPTIONS, { minCount: 5 }).size).toBe(4);
    expect(Vocabulary.build(CAPTIONS, { maxWords: 2 }).toJSON().words.slice(4)).toEqual(['a', 'dog']);
    expect(() => Vocabulary.build(CAPTIONS, { minCount: 0 })).toThrow(RangeError);
  });

  it('encodes with <start>/<end>, truncates to maxWords, and decodes back', () => {
    const v = Vocabulary.build(CAPTIONS);
    const ids = v.encode('A dog, runs!', 10);
    expect(ids).toEqual([START_ID, v.id('a'), v.id('dog'), v.id('runs'), END_ID]);
    expect(v.decode(ids)).toEqual(['a', 'dog', 'runs']);
    expect(v.encode(['a', 'dog', 'runs'], 2)).toEqual([START_ID, v.id('a'), v.id('dog'), END_ID]);
    expect(v.decode(v.encode('a purple dog', 10))).toEqual(['a', '<unk>', 'dog']);
    expect(v.decode(padIds(ids, 8))).toEqual(['a', 'dog', 'runs']);
    expect(v.decode([START_ID, v.id('a'), END_ID, v.id('dog')])).toEqual(['a']);
    expect(padIds(ids, 7)).toEqual([...ids, PAD_ID, PAD_ID]);
    expect(() => padIds(ids, 3)).toThrow(RangeError);
    expect(() => v.decode([99])).toThrow(RangeError);
  });

  it('round-trips through JSON and a file', async () => {
    const v = Vocabulary.build(CAPTIONS, { minCount: 2 });
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.toJSON()).toEqual(v.toJSON());
    expect(back.minCount).toBe(2);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vocab-'));
    const file = path.join(dir, 'vocab.json');
    await saveVocabulary(file, v);
    expect((await loadVocabulary(file)).toJSON()).toEqual(v.toJSON());
  });

  it('rejects corrupt vocabulary files with a FileInputError naming the file', async () => {
    const good = Vocabulary.build(CAPTIONS).toJSON();
    const bad: Array<[unknown, RegExp]> = [
      [[1, 2], /JSON object/],
      [{ ...good, format: 'x' }, /format/],
      [{ ...good, version: 9 }, /version/],
      [{ ...good, words: good.words.map((w, i) => (i === 3 ? 'oops' : w)) }, /words\[3\]/],
      [{ ...good, words: [...good.words, 'a'], counts: [...good.counts, 1] }, /repeats "a"/],
      [{ ...good, words: [...good.words, 'two words'], counts: [...good.counts, 1] }, /without spaces/],
      [{ ...good, counts: good.counts.slice(1) }, /counts/],
      [{ ...good, counts: good.counts.map(() => -1) }, /counts\[0\]/],
      [{ ...good, minCount: 0 }, /minCount/],
    ];
    for (const [value, message] of bad) {
      expect(() => Vocabulary.fromJSON(value, 'v.json')).toThrow(message);
      expect(() => Vocabulary.fromJSON(value, 'v.json')).toThrow(FileInputError);
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vocab-'));
    const notJson = path.join(dir, 'broken.json');
    writeFileSync(notJson, '{"format": ');
    await expect(loadVocabulary(notJson)).rejects.toThrow(`${notJson}: not a valid vocabulary file: not JSON`);
    await expect(loadVocabulary(path.join(dir, 'missing.json'))).rejects.toThrow(/missing\.json: no such file/);
    await expect(loadVocabulary(dir)).rejects.toThrow(FileInputError);
  });
});
