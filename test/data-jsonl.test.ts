import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagesOf } from '../src/data/dataset.js';
import { formatLoadSummary, loadJsonlDataset } from '../src/data/jsonl-dataset.js';
import { FileInputError } from '../src/util/user-error.js';

/** A temp folder with `images/a.png`, `images/b.png`, `images/c.png` (empty files: existence only). */
function fixture(lines: string[]): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jsonl-'));
  mkdirSync(path.join(dir, 'images'));
  for (const n of ['a', 'b', 'c']) writeFileSync(path.join(dir, 'images', `${n}.png`), '');
  const file = path.join(dir, 'captions.jsonl');
  writeFileSync(file, lines.join('\n'));
  return { dir, file };
}

const line = (value: unknown): string => JSON.stringify(value);

describe('loadJsonlDataset', () => {
  it('loads good lines, resolving image paths against the file folder', async () => {
    const elsewhere = path.join(mkdtempSync(path.join(os.tmpdir(), 'jsonl-abs-')), 'c.png');
    writeFileSync(elsewhere, '');
    const { dir, file } = fixture([
      line({ image: 'images/a.png', captions: ['A red circle.', 'a circle'], split: 'train' }),
      '',
      line({ id: 'bee', image: 'images/b.png', captions: ['a blue square'], split: 'test', extra: 1 }),
      line({ id: 7, image: elsewhere, captions: ['x'], split: 'val' }),
    ]);
    const { dataset, summary } = await loadJsonlDataset(file);
    expect(dataset.name).toBe('captions');
    expect(dataset.root).toBe(dir);
    expect(dataset.images.map((i) => i.id)).toEqual(['images/a.png', 'bee', '7']);
    expect(dataset.images[0]).toEqual({
      id: 'images/a.png',
      file: path.join(dir, 'images', 'a.png'),
      captions: ['A red circle.', 'a circle'],
      split: 'train',
    });
    expect(dataset.images[2]?.file).toBe(elsewhere);
    expect(imagesOf(dataset, 'test').map((i) => i.id)).toEqual(['bee']);
    expect(summary).toMatchObject({ lines: 3, loaded: 3, skipped: 0, problems: [], perSplit: { train: 1, val: 1, test: 1 } });
  });

  it('skips and reports bad lines without throwing', async () => {
    const box = { wordIndex: 1, word: 'red', box: { left: 0, top: 0, width: 5, height: 5 } };
    const { file } = fixture([
      line({ image: 'images/a.png', captions: ['a red circle'], split: 'train', boxes: [[box]] }), // 1 ok
      '{"image": "images/b.png", "captions": [', // 2
      line(['not', 'an', 'object']), // 3
      line({ captions: ['x'], split: 'train' }), // 4
      line({ image: 'images/b.png', split: 'train' }), // 5
      line({ image: 'images/b.png', captions: [], split: 'train' }), // 6
      line({ image: 'images/b.png', captions: ['ok', ' ... '], split: 'train' }), // 7
      line({ image: 'images/b.png', captions: ['ok', 3], split: 'train' }), // 8
      line({ image: 'images/b.png', captions: ['ok'], split: 'dev' }), // 9
      line({ image: 'images/b.png', captions: ['ok'] }), // 10
      line({ image: 'images/a.png', captions: ['again'], split: 'val' }), // 11 duplicate id
      line({ image: 'images/missing.png', captions: ['ok'], split: 'test' }), // 12
      line({ image: 'images/b.png', captions: ['a red circle'], split: 'train', boxes: [[{ ...box, word: 'blue' }]] }), // 13
      line({ image: 'images/b.png', captions: ['a red circle'], split: 'train', boxes: [] }), // 14
      line({
        image: 'images/b.png',
        captions: ['a red circle'],
        split: 'train',
        boxes: [[{ ...box, box: { left: 0, top: 0, width: 0, height: 5 } }]],
      }), // 15
      line({ image: 'images/c.png', captions: ['fine'], split: 'test' }), // 16 ok
    ]);
    const { dataset, summary } = await loadJsonlDataset(file);
    expect(dataset.images.map((i) => i.id)).toEqual(['images/a.png', 'images/c.png']);
    expect(dataset.images[0]?.boxes).toEqual([[box]]);
    expect(summary.lines).toBe(16);
    expect(summary.loaded).toBe(2);
    expect(summary.skipped).toBe(14);
    expect(summary.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const reasons = summary.problems.map((p) => p.reason);
    expect(reasons[0]).toBe('invalid JSON');
    expect(reasons[1]).toBe('not a JSON object');
    expect(reasons[2]).toBe('missing "image"');
    expect(reasons[3]).toBe('missing "captions"');
    expect(reasons[4]).toBe('"captions" is empty');
    expect(reasons[5]).toBe('"captions[1]" has no words');
    expect(reasons[6]).toBe('"captions[1]" is not a string');
    expect(reasons[7]).toMatch(/"split" must be one of train, val, test/);
    expect(reasons[8]).toBe('missing "split"');
    expect(reasons[9]).toBe('duplicate id "images/a.png" (first on line 1)');
    expect(reasons[10]).toMatch(/^image not found: .*missing\.png$/);
    expect(reasons[11]).toMatch(/word "blue" is not word 1/);
    expect(reasons[12]).toMatch(/one list per caption/);
    expect(reasons[13]).toMatch(/width, height > 0/);
    expect(formatLoadSummary(summary, 2)).toMatch(
      /2 images \(train 1, val 0, test 1\); skipped 14 bad lines\n {2}line 2: invalid JSON\n.*\n {2}… and 12 more$/,
    );
  });

  it('can skip the image check, and caps the listed problems but not the count', async () => {
    const { file } = fixture([line({ image: 'nowhere.png', captions: ['x'], split: 'train' }), 'junk', 'junk', 'junk']);
    const { dataset, summary } = await loadJsonlDataset(file, { checkImages: false, maxProblems: 2, name: 'tiny' });
    expect(dataset.name).toBe('tiny');
    expect(dataset.images).toHaveLength(1);
    expect(summary.skipped).toBe(3);
    expect(summary.problems).toHaveLength(2);
  });

  it('handles CRLF line ends and a byte-order mark', async () => {
    const { file } = fixture([]);
    writeFileSync(
      file,
      `\ufeff${line({ image: 'images/a.png', captions: ['x'], split: 'train' })}\r\n${line({ image: 'images/b.png', captions: ['y'], split: 'val' })}\r\n`,
    );
    const { summary } = await loadJsonlDataset(file);
    expect(summary).toMatchObject({ lines: 2, loaded: 2, skipped: 0 });
  });

  it('throws a FileInputError for an unreadable dataset file', async () => {
    const { dir } = fixture([]);
    await expect(loadJsonlDataset(path.join(dir, 'nope.jsonl'))).rejects.toThrow(FileInputError);
    await expect(loadJsonlDataset(path.join(dir, 'nope.jsonl'))).rejects.toThrow(/nope\.jsonl: no such file/);
    await expect(loadJsonlDataset(dir)).rejects.toThrow(/is a directory/);
  });
});
