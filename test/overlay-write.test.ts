import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { encoderRegion } from '../src/image/region.js';
import type { RgbImage } from '../src/image/types.js';
import { fileSafeWord, isWordFileName, wordFileName } from '../src/overlay/file-names.js';
import { GRID_GAP, writeOverlays } from '../src/overlay/write-overlays.js';
import { UserError } from '../src/util/user-error.js';

const grid = { height: 14, width: 14 };

function gradientPhoto(width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels.set([x % 256, y % 256, 90], (y * width + x) * 3);
  return { width, height, pixels };
}

function alphaAt(row: number, col: number): Float32Array {
  const a = new Float32Array(196).fill(0.2 / 195);
  a[row * 14 + col] = 0.8;
  return a;
}

const words = [
  { word: 'a', alpha: alphaAt(1, 1), beta: 0.2 },
  { word: 'a/b<c>', alpha: alphaAt(5, 9), beta: 0.9 },
  { word: 'Dog', alpha: alphaAt(12, 3), beta: 0.5 },
  { word: '<end>', alpha: alphaAt(0, 0), beta: 0.1 },
];

async function size(file: string): Promise<[number | undefined, number | undefined]> {
  const m = await sharp(file).metadata();
  return [m.width, m.height];
}

describe('writeOverlays', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'overlay-'));
  });

  it('writes grid.png and NN-word.png, keeping other files and leaving no temp files', async () => {
    const folder = path.join(dir, 'photo1');
    await fs.mkdir(folder);
    await fs.writeFile(path.join(folder, 'notes.txt'), 'keep me');
    const photo = gradientPhoto(300, 180);

    const out = await writeOverlays(dir, 'photo1', photo, encoderRegion('squash', 300, 180), grid, words, {
      panelWidth: 128,
      columns: 3,
    });
    expect(out.folder).toBe(folder);
    expect(out.grid).toBe(path.join(folder, 'grid.png'));
    expect(out.words.map((f) => path.basename(f))).toEqual(['01-a.png', '02-a_b_c_.png', '03-dog.png']);
    expect((await fs.readdir(folder)).sort()).toEqual(['01-a.png', '02-a_b_c_.png', '03-dog.png', 'grid.png', 'notes.txt']);
    expect(await fs.readFile(path.join(folder, 'notes.txt'), 'utf8')).toBe('keep me');

    for (const file of out.words) expect(await size(file)).toEqual([300, 180]);
    const [gw, gh] = await size(out.grid);
    expect(gw).toBe(3 * 128 + 4 * GRID_GAP); // 4 panels (input + 3 words) in rows of 3
    expect(gh).toBeGreaterThan(2 * Math.round((128 * 180) / 300) + 3 * GRID_GAP); // two rows + title

    // A second run, of a shorter caption, overwrites in place: its word files only, the earlier caption's
    // other word files gone, the user's own files (even a PNG) kept.
    await fs.writeFile(path.join(folder, 'my-photo.png'), 'mine');
    const again = await writeOverlays(dir, 'photo1', photo, encoderRegion('center-crop', 300, 180), grid, words.slice(0, 1));
    expect(await size(again.grid)).toEqual([2 * 256 + 3 * GRID_GAP, expect.any(Number)]);
    expect((await fs.readdir(folder)).sort()).toEqual(['01-a.png', 'grid.png', 'my-photo.png', 'notes.txt']);
  });

  it('writes only the grid (the photo alone) when there are no words', async () => {
    const out = await writeOverlays(dir, 'empty', gradientPhoto(90, 60), encoderRegion('squash', 90, 60), grid, []);
    expect(out.words).toEqual([]);
    expect(await size(out.grid)).toEqual([256 + 2 * GRID_GAP, Math.round((256 * 60) / 90) + 2 * GRID_GAP]);
  });

  it('checks its options and folder name', async () => {
    const photo = gradientPhoto(40, 30);
    const region = encoderRegion('squash', 40, 30);
    await expect(writeOverlays(dir, 'x', photo, region, grid, words, { opacity: 2 })).rejects.toThrow(UserError);
    await expect(writeOverlays(dir, 'x', photo, region, grid, words, { colormap: 'hot' as never })).rejects.toThrow(/colour map "hot"/);
    await expect(writeOverlays(dir, 'x', photo, region, grid, words, { columns: 0 })).rejects.toThrow(UserError);
    await expect(writeOverlays(dir, '../up', photo, region, grid, words)).rejects.toThrow(/one plain path segment/);
    await expect(fs.readdir(dir)).resolves.toEqual([]);
  });
});

describe('overlay file names', () => {
  it('tells the word files an overlay run writes from any other file', () => {
    for (const [i, n, w] of [
      [0, 3, 'a'],
      [9, 12, 'Dog!'],
      [99, 150, 'x'.repeat(60)],
      [0, 1, ''],
    ] as const)
      expect(isWordFileName(wordFileName(i, n, w))).toBe(true);
    for (const other of ['grid.png', 'notes.txt', '1-a.png', '01-a.jpg', '01-A.png', 'my-01-a.png', '01-.png'])
      expect(isWordFileName(other), other).toBe(false);
  });

  it('sanitizes words to [a-z0-9_-] and numbers them from 01', () => {
    expect(fileSafeWord('a/b<c>')).toBe('a_b_c_');
    expect(fileSafeWord('Café')).toBe('caf_');
    expect(fileSafeWord('<unk>')).toBe('_unk_');
    expect(fileSafeWord('../..')).toBe('_____');
    expect(fileSafeWord('')).toBe('_');
    expect(fileSafeWord('x'.repeat(100))).toHaveLength(40);
    expect(wordFileName(0, 5, 'Dog')).toBe('01-dog.png');
    expect(wordFileName(0, 120, 'x')).toBe('001-x.png');
    expect(wordFileName(119, 120, 'x')).toBe('120-x.png');
  });
});
