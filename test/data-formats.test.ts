import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagesOf } from '../src/data/dataset.js';
import { loadCocoDataset } from '../src/data/coco-dataset.js';
import { loadFlickrDataset } from '../src/data/flickr-dataset.js';
import { loadKarpathyDataset } from '../src/data/karpathy-dataset.js';
import { detectFormat, loadDataset } from '../src/data/load-dataset.js';
import { decodeLines, formatLoadSummary } from '../src/data/load-summary.js';
import { FileInputError, UserError } from '../src/util/user-error.js';
import { describeWithShared, sharedPath } from './shared.js';

const tempDir = (prefix: string): string => mkdtempSync(path.join(os.tmpdir(), `formats-${prefix}-`));

/** Empty image files: the loaders check existence only. */
function touchImages(dir: string, names: string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const n of names) writeFileSync(path.join(dir, n), '');
}

/** Text lines joined by `\n`; a Buffer element is written as raw bytes (for invalid UTF-8). */
function writeLines(file: string, lines: Array<string | Buffer>): void {
  const parts = lines.flatMap((l, i) => [typeof l === 'string' ? Buffer.from(l) : l, Buffer.from(i < lines.length - 1 ? '\n' : '')]);
  writeFileSync(file, Buffer.concat(parts));
}

const LATIN1_CAFE = Buffer.from([...Buffer.from('c.jpg#1\tA caf'), 0xe9, ...Buffer.from(' by the sea .')]); // 0xE9 alone: not UTF-8

/** A Flickr8k-shaped folder: caption file with one bad line of each kind, split lists, images/. */
function flickrFixture(): string {
  const dir = tempDir('flickr');
  touchImages(path.join(dir, 'images'), ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg']);
  writeLines(path.join(dir, 'Flickr8k.token.txt'), [
    'a.jpg#0\tA dog runs on the grass .', // 1
    'a.jpg#1\tA brown dog .', // 2
    'b.jpg#0\tA cat sleeps .', // 3
    'a.jpg.1#0\tpeople waiting for the subway', // 4 image does not exist
    'c.jpg#0\t  . ', // 5 empty caption
    'a.jpg#1\tA brown dog again .', // 6 duplicate #1
    LATIN1_CAFE, // 7 invalid UTF-8
    'd.jpg A dog without a tab', // 8 no tab
    'd.jpg\tA dog without a number', // 9 no #N
    '', // blank: ignored
    'c.jpg#2\tA bird flies .', // 11
    'd.jpg#0\tA fish swims .', // 12
    'e.jpg#0\tAn image in no split .', // 13
    'd.jpg#1\tTwo fish swim .\r', // 14 CRLF
  ]);
  writeLines(path.join(dir, 'Flickr_8k.trainImages.txt'), ['a.jpg', 'b.jpg', '']);
  writeLines(path.join(dir, 'Flickr_8k.devImages.txt'), ['c.jpg']);
  writeLines(path.join(dir, 'Flickr_8k.testImages.txt'), ['d.jpg']);
  return dir;
}

describe('decodeLines', () => {
  it('splits on LF and CRLF, drops a BOM, and marks only the bad line of invalid UTF-8', () => {
    expect(decodeLines(Buffer.from('\ufeffa\r\nb\nc'))).toEqual(['a', 'b', 'c']);
    expect(decodeLines(Buffer.concat([Buffer.from('\ufeffok\r\n'), Buffer.from([0x61, 0xff, 0x62]), Buffer.from('\nfine é\n')]))).toEqual([
      'ok',
      undefined,
      'fine é',
      '',
    ]);
  });
});

describe('loadFlickrDataset', () => {
  it('loads good lines with their split, and reports every bad line without throwing', async () => {
    const dir = flickrFixture();
    const { dataset, summary } = await loadFlickrDataset(path.join(dir, 'Flickr8k.token.txt'));
    expect(dataset.name).toBe(path.basename(dir));
    expect(dataset.root).toBe(path.join(dir, 'images'));
    expect(dataset.images).toEqual([
      { id: 'a.jpg', file: path.join(dir, 'images', 'a.jpg'), captions: ['A dog runs on the grass .', 'A brown dog .'], split: 'train' },
      { id: 'b.jpg', file: path.join(dir, 'images', 'b.jpg'), captions: ['A cat sleeps .'], split: 'train' },
      { id: 'c.jpg', file: path.join(dir, 'images', 'c.jpg'), captions: ['A bird flies .'], split: 'val' },
      { id: 'd.jpg', file: path.join(dir, 'images', 'd.jpg'), captions: ['A fish swims .', 'Two fish swim .'], split: 'test' },
    ]);
    expect(summary).toMatchObject({ lines: 13, loaded: 4, skipped: 6, unsplit: 1, perSplit: { train: 2, val: 1, test: 1 } });
    expect(summary.warnings).toBeUndefined();
    expect(summary.problems).toEqual([
      { line: 4, reason: 'image not found: a.jpg.1' },
      { line: 5, reason: 'empty caption' },
      { line: 6, reason: 'duplicate caption a.jpg#1 (first on line 2)' },
      { line: 7, reason: 'invalid UTF-8 bytes' },
      { line: 8, reason: 'no tab between "IMAGE#N" and the caption' },
      { line: 9, reason: 'no "#N" caption number after the image name' },
    ]);
    expect(formatLoadSummary(summary, 2)).toBe(
      `${path.join(dir, 'Flickr8k.token.txt')}: 4 images (train 2, val 1, test 1); skipped 6 bad lines\n` +
        '  line 4: image not found: a.jpg.1\n  line 5: empty caption\n  … and 4 more\n  1 image is in no split: left out',
    );
  });

  it('accepts the dataset folder, and finds Flicker8k_Dataset/ when there is no images/', async () => {
    const dir = tempDir('flickr-folder');
    touchImages(path.join(dir, 'Flicker8k_Dataset'), ['x.jpg']);
    writeLines(path.join(dir, 'Flickr8k.token.txt'), ['x.jpg#0\tA red kite .']);
    writeLines(path.join(dir, 'Flickr_8k.testImages.txt'), ['x.jpg', 'y.jpg']);
    const { dataset, summary } = await loadFlickrDataset(dir, { name: 'tiny' });
    expect(dataset).toMatchObject({ name: 'tiny', root: path.join(dir, 'Flicker8k_Dataset') });
    expect(imagesOf(dataset, 'test').map((i) => i.id)).toEqual(['x.jpg']);
    expect(summary.warnings).toEqual(['1 image in the split lists has no caption line']);
  });

  it('without split files: Karpathy splits if given, else every image train with a warning', async () => {
    const dir = tempDir('flickr30k');
    touchImages(path.join(dir, 'flickr30k-images'), ['1.jpg', '2.jpg', '3.jpg']);
    const token = path.join(dir, 'results_20130124.token');
    writeLines(token, ['1.jpg#0\tOne .', '2.jpg#0\tTwo .', '3.jpg#0\tThree .']);
    const plain = await loadFlickrDataset(token);
    expect(plain.summary).toMatchObject({ loaded: 3, unsplit: 0, perSplit: { train: 3, val: 0, test: 0 } });
    expect(plain.summary.warnings?.[0]).toMatch(/no split files .*every image is 'train'/);
    expect(formatLoadSummary(plain.summary)).toMatch(/\n {2}warning: no split files/);

    const karpathy = path.join(dir, 'dataset_flickr30k.json');
    const entry = (filename: string, split: string) => ({ filename, split, sentences: [{ raw: 'x' }] });
    writeFileSync(
      karpathy,
      JSON.stringify({ images: [entry('1.jpg', 'train'), entry('2.jpg', 'restval'), entry('3.jpg', 'test'), { split: 'val' }] }),
    );
    const split = await loadFlickrDataset(dir, { karpathySplits: karpathy });
    expect(split.dataset.images.map((i) => [i.id, i.split])).toEqual([
      ['1.jpg', 'train'],
      ['2.jpg', 'train'],
      ['3.jpg', 'test'],
    ]);
    expect(split.summary.warnings).toEqual([`${karpathy}: 1 entries without a usable filename/split ignored`]);
  });

  it('explicit options: image folder, split files, no image check', async () => {
    const dir = tempDir('flickr-options');
    const token = path.join(dir, 'captions.token.txt');
    writeLines(token, ['p.jpg#0\tA photo .', 'q.jpg#0\tAnother photo .']);
    writeLines(path.join(dir, 'mine.txt'), ['p.jpg', 'q.jpg']);
    touchImages(path.join(dir, 'pics'), ['p.jpg']);
    const withCheck = await loadFlickrDataset(token, { imageDir: path.join(dir, 'pics'), splitFiles: { val: path.join(dir, 'mine.txt') } });
    expect(withCheck.dataset.images.map((i) => [i.id, i.split])).toEqual([['p.jpg', 'val']]);
    expect(withCheck.summary.problems).toEqual([{ line: 2, reason: 'image not found: q.jpg' }]);
    const noCheck = await loadFlickrDataset(token, { splitFiles: { val: path.join(dir, 'mine.txt') }, checkImages: false });
    expect(noCheck.dataset.images.map((i) => i.file)).toEqual([path.join(dir, 'images', 'p.jpg'), path.join(dir, 'images', 'q.jpg')]);
  });

  it('throws a FileInputError naming a missing caption file, split file or image folder', async () => {
    const dir = flickrFixture();
    await expect(loadFlickrDataset(path.join(dir, 'nope.token.txt'))).rejects.toThrow(FileInputError);
    await expect(loadFlickrDataset(path.join(dir, 'nope.token.txt'))).rejects.toThrow(/nope\.token\.txt: no such file/);
    await expect(loadFlickrDataset(path.join(dir, 'images'))).rejects.toThrow(/images: no Flickr caption file in this folder/);
    await expect(loadFlickrDataset(dir, { splitFiles: { train: path.join(dir, 'gone.txt') } })).rejects.toThrow(/gone\.txt: no such file/);
    await expect(loadFlickrDataset(dir, { imageDir: path.join(dir, 'nowhere') })).rejects.toThrow(/nowhere: cannot list this image folder/);
    const bare = tempDir('flickr-bare');
    writeLines(path.join(bare, 'Flickr8k.token.txt'), ['a.jpg#0\tx']);
    await expect(loadFlickrDataset(bare)).rejects.toThrow(/cannot find its image folder/);
  });
});

/** A Karpathy JSON beside `images/` (and `images/val2014/`); the text `@BYTES@` is replaced by raw `bytes`. */
function karpathyFixture(images: unknown[], bytes = Buffer.alloc(0)): string {
  const dir = tempDir('karpathy');
  touchImages(path.join(dir, 'images'), ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
  touchImages(path.join(dir, 'images', 'val2014'), ['COCO_val2014_1.jpg']);
  const file = path.join(dir, 'dataset_flickr8k.json');
  const parts = JSON.stringify({ dataset: 'flickr8k', images }).split('@BYTES@');
  writeFileSync(file, Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [Buffer.from(p)] : [bytes, Buffer.from(p)]))));
  return file;
}

describe('loadKarpathyDataset', () => {
  const s = (raw: string) => ({ raw, tokens: raw.split(' ') });

  it('maps splits (restval → train), joins filepath, prefers raw over tokens, skips and reports bad entries', async () => {
    const file = karpathyFixture([
      { filename: 'a.jpg', split: 'train', sentences: [s('A dog .'), s('A brown dog .')] }, // 0
      { filename: 'b.jpg', split: 'restval', sentences: [{ tokens: ['a', 'cat'] }, { raw: ' ... ', tokens: [] }] }, // 1 (+ one empty sentence)
      { filepath: 'val2014', filename: 'COCO_val2014_1.jpg', split: 'val', sentences: [s('A bus .')] }, // 2
      { filename: 'c.jpg', split: 'test', sentences: [s('A bird .')] }, // 3
      { filename: 'a.jpg', split: 'test', sentences: [s('Again .')] }, // 4 duplicate
      { filename: 'missing.jpg', split: 'train', sentences: [s('Gone .')] }, // 5
      { filename: 'd.jpg', split: 'dev', sentences: [s('x')] }, // 6 bad split
      { split: 'train', sentences: [s('x')] }, // 7 no filename
      'not an object', // 8
      { filename: 'd.jpg', split: 'train', sentences: [{ raw: '' }] }, // 9 no usable sentence
    ]);
    const { dataset, summary } = await loadKarpathyDataset(file);
    const dir = path.dirname(file);
    expect(dataset).toMatchObject({ name: 'flickr8k', root: path.join(dir, 'images') });
    expect(dataset.images).toEqual([
      { id: 'a.jpg', file: path.join(dir, 'images', 'a.jpg'), captions: ['A dog .', 'A brown dog .'], split: 'train' },
      { id: 'b.jpg', file: path.join(dir, 'images', 'b.jpg'), captions: ['a cat'], split: 'train' },
      { id: 'COCO_val2014_1.jpg', file: path.join(dir, 'images', 'val2014', 'COCO_val2014_1.jpg'), captions: ['A bus .'], split: 'val' },
      { id: 'c.jpg', file: path.join(dir, 'images', 'c.jpg'), captions: ['A bird .'], split: 'test' },
    ]);
    expect(summary).toMatchObject({ lines: 10, loaded: 4, skipped: 8, perSplit: { train: 2, val: 1, test: 1 } });
    expect(summary.problems).toEqual([
      { entry: 'images[6]', reason: '"split" must be one of train, val, test, restval, got "dev"' },
      { entry: 'images[7]', reason: 'missing "filename"' },
      { entry: 'images[8]', reason: 'not an object' },
      { entry: 'images[1].sentences[1]', reason: 'empty caption' },
      { entry: 'images[4]', reason: 'duplicate image id "a.jpg" (first in images[0])' },
      { entry: 'images[5]', reason: `image not found: ${path.join(dir, 'images', 'missing.jpg')}` },
      { entry: 'images[9].sentences[0]', reason: 'no "raw" text or "tokens"' },
      { entry: 'images[9]', reason: 'no captions' },
    ]);
    expect(formatLoadSummary(summary, 1)).toMatch(
      /: 4 images \(train 2, val 1, test 1\); skipped 8 bad entries\n {2}images\[6\]: "split" must be/,
    );
  });

  it('ids from filepath/filename on request; a sentence with invalid UTF-8 is skipped', async () => {
    const file = karpathyFixture(
      [{ filepath: 'val2014', filename: 'COCO_val2014_1.jpg', split: 'val', sentences: [s('A bus .'), { raw: '@BYTES@' }] }],
      Buffer.from([0x63, 0x61, 0x66, 0xe9]), // "caf" + a lone Latin-1 é
    );
    const { dataset, summary } = await loadKarpathyDataset(file, { idFromPath: true, name: 'coco' });
    expect(dataset.name).toBe('coco');
    expect(dataset.images.map((i) => [i.id, i.captions])).toEqual([['val2014/COCO_val2014_1.jpg', ['A bus .']]]);
    expect(summary.problems).toEqual([{ entry: 'images[0].sentences[1]', reason: 'invalid UTF-8 bytes' }]);
  });

  it('throws a FileInputError for a missing file, invalid JSON or no images array', async () => {
    const dir = tempDir('karpathy-bad');
    await expect(loadKarpathyDataset(path.join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: no such file/);
    writeFileSync(path.join(dir, 'broken.json'), '{"images": [');
    await expect(loadKarpathyDataset(path.join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: not valid JSON/);
    writeFileSync(path.join(dir, 'other.json'), '{"pictures": []}');
    await expect(loadKarpathyDataset(path.join(dir, 'other.json'))).rejects.toThrow(FileInputError);
  });
});

/** `<root>/annotations/<name>` and the images in `<root>/val2014/`. */
function cocoFixture(name: string, json: unknown): { root: string; file: string } {
  const root = tempDir('coco');
  touchImages(path.join(root, 'val2014'), ['COCO_val2014_1.jpg', 'COCO_val2014_2.jpg', 'COCO_val2014_4.jpg']);
  mkdirSync(path.join(root, 'annotations'));
  const file = path.join(root, 'annotations', name);
  writeFileSync(file, JSON.stringify(json));
  return { root, file };
}

describe('loadCocoDataset', () => {
  const json = {
    info: {},
    images: [
      { id: 1, file_name: 'COCO_val2014_1.jpg' }, // 0
      { id: 2, file_name: 'COCO_val2014_2.jpg' }, // 1
      { id: 3, file_name: 'COCO_val2014_3.jpg' }, // 2 missing file
      { id: 5 }, // 3 no file_name
      { id: 2, file_name: 'COCO_val2014_4.jpg' }, // 4 duplicate id
      { id: 6, file_name: 'COCO_val2014_4.jpg' }, // 5 no annotation
    ],
    annotations: [
      { id: 10, image_id: 1, caption: 'A man rides a horse.' }, // 0
      { id: 11, image_id: 1, caption: 'A horse and its rider. ' }, // 1
      { id: 12, image_id: 2, caption: ' ' }, // 2 empty
      { id: 13, image_id: 2, caption: 'Two cats.' }, // 3
      { id: 14, image_id: 9, caption: 'Nobody.' }, // 4 unknown image
      { id: 15, image_id: 3, caption: 'Lost.' }, // 5 image skipped above: no second report
      { id: 13, image_id: 2, caption: 'Again.' }, // 6 duplicate annotation id
      { id: 16, image_id: 2, caption: 7 }, // 7 not a string
    ],
  };

  it('loads captions per image with the split from the file name, and reports bad entries', async () => {
    const { root, file } = cocoFixture('captions_val2014.json', json);
    const { dataset, summary } = await loadCocoDataset(file);
    expect(dataset).toMatchObject({ name: 'captions_val2014', root: path.join(root, 'val2014') });
    expect(dataset.images).toEqual([
      {
        id: 'COCO_val2014_1.jpg',
        file: path.join(root, 'val2014', 'COCO_val2014_1.jpg'),
        captions: ['A man rides a horse.', 'A horse and its rider.'],
        split: 'val',
      },
      { id: 'COCO_val2014_2.jpg', file: path.join(root, 'val2014', 'COCO_val2014_2.jpg'), captions: ['Two cats.'], split: 'val' },
    ]);
    expect(summary).toMatchObject({ lines: 8, loaded: 2, skipped: 7, perSplit: { train: 0, val: 2, test: 0 } });
    expect(summary.problems).toEqual([
      { entry: 'images[2]', reason: `image not found: ${path.join(root, 'val2014', 'COCO_val2014_3.jpg')}` },
      { entry: 'images[3]', reason: 'missing "file_name"' },
      { entry: 'images[4]', reason: 'duplicate image id 2 (first in images[1])' },
      { entry: 'annotations[2]', reason: 'empty caption' },
      { entry: 'annotations[4]', reason: 'no image with id 9' },
      { entry: 'annotations[6]', reason: 'duplicate annotation id 13 (first in annotations[3])' },
      { entry: 'annotations[7]', reason: '"caption" is not a string' },
    ]);
    expect(summary.warnings).toEqual(['1 image has no caption: left out']);
  });

  it('split and image folder from options; a name without a split is train with a warning', async () => {
    const { root, file } = cocoFixture('caps.json', json);
    await expect(loadCocoDataset(file)).rejects.toThrow(/caps\.json: cannot find its image folder/);
    const { dataset, summary } = await loadCocoDataset(file, { imageDir: path.join(root, 'val2014') });
    expect(summary.perSplit).toEqual({ train: 2, val: 0, test: 0 });
    expect(summary.warnings?.[0]).toMatch(/does not say train, val or test/);
    const test = await loadCocoDataset(file, { imageDir: path.join(root, 'val2014'), split: 'test' });
    expect(test.summary.perSplit).toEqual({ train: 0, val: 0, test: 2 });
    expect(dataset.images).toHaveLength(2);
  });
});

describe('loadDataset: formats and auto detection', () => {
  it('detects each format from the name or the contents', async () => {
    const flickr = flickrFixture();
    expect(await detectFormat(flickr)).toBe('flickr');
    expect(await detectFormat(path.join(flickr, 'Flickr8k.token.txt'))).toBe('flickr');
    const renamed = path.join(flickr, 'captions.txt');
    writeLines(renamed, ['a.jpg#0\tA dog .']);
    expect(await detectFormat(renamed)).toBe('flickr');
    const jsonl = path.join(flickr, 'set.jsonl');
    writeFileSync(jsonl, `${JSON.stringify({ image: 'images/a.jpg', captions: ['a dog'], split: 'train' })}\n`);
    expect(await detectFormat(jsonl)).toBe('jsonl');
    const karpathy = karpathyFixture([{ filename: 'a.jpg', split: 'train', sentences: [{ raw: 'A dog .' }] }]);
    expect(await detectFormat(karpathy)).toBe('karpathy');
    const { file: coco } = cocoFixture('captions_val2014.json', {
      images: [{ id: 1, file_name: 'COCO_val2014_1.jpg' }],
      annotations: [{ image_id: 1, caption: 'A bus.' }],
    });
    expect(await detectFormat(coco)).toBe('coco');

    const loaded = await Promise.all([flickr, jsonl, karpathy, coco].map((f) => loadDataset(f)));
    expect(loaded.map((l) => l.dataset.images.length)).toEqual([4, 1, 1, 1]);
    expect(loaded[0]?.report).toMatch(/skipped 6 bad lines/);
    expect((await loadDataset(coco, 'coco', { split: 'test' })).summary.perSplit.test).toBe(1);
  });

  it('gives a UserError for what it cannot recognise', async () => {
    const dir = tempDir('unknown');
    writeFileSync(path.join(dir, 'notes.txt'), 'hello\n');
    writeFileSync(path.join(dir, 'other.json'), '{"a": 1}');
    await expect(detectFormat(path.join(dir, 'notes.txt'))).rejects.toThrow(UserError);
    await expect(detectFormat(path.join(dir, 'other.json'))).rejects.toThrow(/neither a Karpathy split .* nor COCO captions/);
    await expect(detectFormat(dir)).rejects.toThrow(/a folder without a Flickr caption file/);
    await expect(detectFormat(path.join(dir, 'gone.jsonl'))).rejects.toThrow(FileInputError);
    await expect(loadDataset(path.join(dir, 'notes.txt'), 'csv' as 'jsonl')).rejects.toThrow(/unknown dataset format "csv"/);
  });
});

describeWithShared('the real Flickr8k (../shared/datasets/flickr8k)', () => {
  it('loads 8,000 images in 6000/1000/1000 with 5 captions each; reports the .jpg.1 lines and the 91 unsplit images', async () => {
    const started = performance.now();
    const { dataset, summary, report } = await loadDataset(sharedPath('datasets/flickr8k'));
    const ms = performance.now() - started;
    process.stdout.write(`${report}\n(loaded in ${ms.toFixed(0)} ms)\n`);
    expect(summary).toMatchObject({
      lines: 40460,
      loaded: 8000,
      skipped: 5,
      unsplit: 91,
      perSplit: { train: 6000, val: 1000, test: 1000 },
    });
    expect(summary.warnings).toBeUndefined();
    expect(summary.problems.map((p) => p.line)).toEqual([6731, 6732, 6733, 6734, 6735]);
    expect(summary.problems.every((p) => p.reason === 'image not found: 2258277193_586949ec62.jpg.1')).toBe(true);
    expect(dataset.images.every((im) => im.captions.length === 5)).toBe(true);
    expect(dataset.images[0]).toMatchObject({
      id: '1000268201_693b08cb0e.jpg',
      file: sharedPath('datasets/flickr8k/images/1000268201_693b08cb0e.jpg'),
    });
    expect(ms).toBeLessThan(5000); // ~0.2 s of CPU; the bound is loose for a busy machine
  });
});
