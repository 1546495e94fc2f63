import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { loadJsonlDataset } from '../src/data/jsonl-dataset.js';
import { COMMITTED_SHAPES } from '../src/data/shapes/committed.js';
import { generateShapeScenes, imageFileName, shapesToCaptionedImages, splitCounts, type ShapeScene } from '../src/data/shapes/generate.js';
import { ALL_PAIRS, COLOURS, DEFAULT_HELD_OUT, pairOf, SHAPES } from '../src/data/shapes/grammar.js';
import { renderScenePng, renderSceneRgb, sceneSvg } from '../src/data/shapes/render.js';
import { CAPTIONS_FILE, jsonlLine, META_FILE, writeShapesDataset } from '../src/data/shapes/write.js';
import { tokenize } from '../src/data/tokenize.js';
import { deriveSeed, mulberry32, randomInt, shuffled } from '../src/util/random.js';

const repoRootOf = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FULL = generateShapeScenes({ seed: 1, counts: splitCounts(1500) });
const bySplit = (split: ShapeScene['split']): ShapeScene[] => FULL.filter((s) => s.split === split);
const overlap = (a: ShapeScene['objects'][number]['box'], b: typeof a): boolean =>
  a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;

describe('seeded random numbers', () => {
  it('repeat per seed, stay in range, and shuffle into permutations', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const rng = mulberry32(1);
    const ints = new Set(Array.from({ length: 500 }, () => randomInt(rng, 2, 5)));
    expect([...ints].sort()).toEqual([2, 3, 4, 5]);
    expect(shuffled(rng, [1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(deriveSeed(1, 0, 5)).toBe(deriveSeed(1, 0, 5));
    expect(new Set([deriveSeed(1, 0, 5), deriveSeed(1, 5, 0), deriveSeed(1, 0, 6), deriveSeed(2, 0, 5), deriveSeed(1, 0)]).size).toBe(5);
  });
});

describe('shapes generator (in memory)', () => {
  it('is deterministic: same seed, same scenes and PNG bytes; another seed differs', async () => {
    const opts = { seed: 42, counts: { train: 6, val: 2, test: 2 } };
    const a = generateShapeScenes(opts);
    const b = generateShapeScenes(opts);
    expect(b).toEqual(a);
    expect(generateShapeScenes({ ...opts, seed: 43 }).map((s) => s.caption)).not.toEqual(a.map((s) => s.caption));
    for (const s of a.slice(0, 3)) expect((await renderScenePng(s)).equals(await renderScenePng(s))).toBe(true);
    // Each split draws from its own streams: more test images leave train and val unchanged.
    const more = generateShapeScenes({ ...opts, counts: { train: 6, val: 2, test: 9 } });
    expect(more.slice(0, 8)).toEqual(a.slice(0, 8));
  });

  it('splits --count 80/10/10', () => {
    expect(splitCounts(1500)).toEqual({ train: 1200, val: 150, test: 150 });
    expect(splitCounts(10)).toEqual({ train: 8, val: 1, test: 1 });
    expect(FULL.map((s) => s.id).slice(0, 2)).toEqual(['train-0000', 'train-0001']);
    expect(new Set(FULL.map((s) => s.id)).size).toBe(1500);
  });

  it('keeps objects inside the image, big enough for a 14×14 grid, and apart', () => {
    for (const s of FULL) {
      s.objects.forEach((o, i) => {
        const b = o.box;
        expect(b.left).toBeGreaterThanOrEqual(0);
        expect(b.top).toBeGreaterThanOrEqual(0);
        expect(b.left + b.width).toBeLessThanOrEqual(s.size);
        expect(b.top + b.height).toBeLessThanOrEqual(s.size);
        expect(Math.min(b.width, b.height)).toBeGreaterThanOrEqual(40);
        for (const other of s.objects.slice(i + 1)) expect(overlap(b, other.box)).toBe(false);
      });
    }
  });

  it('writes captions in the fixed grammar, naming objects in canonical order', () => {
    const grammar =
      /^a (red|green|blue|yellow) (circle|square|triangle)(?: (left of|above) a (red|green|blue|yellow) (circle|square|triangle))*$/;
    for (const s of FULL) {
      expect(s.caption).toMatch(grammar);
      const c = (o: ShapeScene['objects'][number]): { x: number; y: number } => ({
        x: o.box.left + o.box.width / 2,
        y: o.box.top + o.box.height / 2,
      });
      for (let i = 1; i < s.objects.length; i++) {
        const p = c(s.objects[i - 1]!);
        const q = c(s.objects[i]!);
        const [along, across] = s.arrangement === 'row' ? [q.x - p.x, q.y - p.y] : [q.y - p.y, q.x - p.x];
        expect(along).toBeGreaterThan(50); // next object clearly right of / below …
        expect(Math.abs(across)).toBeLessThan(along / 2); // … and the relation is not in doubt
      }
      expect(s.caption.includes('left of')).toBe(s.arrangement === 'row');
      expect(s.caption.includes('above')).toBe(s.arrangement === 'column');
      expect(s.objects.map(pairOf)).toEqual(
        s.caption
          .replace(/ (left of|above) /g, '|')
          .split('|')
          .map((p) => p.slice(2)),
      );
      expect(new Set(s.objects.map(pairOf)).size).toBe(s.objects.length);
    }
    const counts = [1, 2, 3].map((n) => FULL.filter((s) => s.objects.length === n).length);
    expect(Math.min(...counts)).toBeGreaterThan(200);
  });

  it('gives every colour and shape word the box of its object', () => {
    for (const s of FULL) {
      const words = tokenize(s.caption);
      const boxed = words.flatMap((w, i) =>
        (COLOURS as readonly string[]).includes(w) || (SHAPES as readonly string[]).includes(w) ? [i] : [],
      );
      expect(s.boxes.map((b) => b.wordIndex)).toEqual(boxed);
      s.boxes.forEach((b, j) => {
        expect(b.word).toBe(words[b.wordIndex]);
        expect(b.box).toEqual(s.objects[Math.floor(j / 2)]!.box);
      });
    }
  });

  it('holds out colour–shape pairs: never in train, at least one in every val/test image', () => {
    const held = new Set<string>(DEFAULT_HELD_OUT);
    for (const s of bySplit('train')) for (const o of s.objects) expect(held.has(pairOf(o))).toBe(false);
    for (const split of ['val', 'test'] as const) {
      for (const s of bySplit(split)) expect(s.objects.some((o) => held.has(pairOf(o)))).toBe(true);
      for (const p of held) expect(bySplit(split).filter((s) => s.objects.some((o) => pairOf(o) === p)).length).toBeGreaterThanOrEqual(40);
    }
    // Training still sees every colour and every shape, and every other pair.
    const trainPairs = new Set(bySplit('train').flatMap((s) => s.objects.map(pairOf)));
    expect([...trainPairs].sort()).toEqual(ALL_PAIRS.filter((p) => !held.has(p)).sort());
    const custom = generateShapeScenes({ seed: 3, counts: { train: 200, val: 0, test: 20 }, heldOut: ['blue circle'] });
    expect(custom.filter((s) => s.split === 'train').some((s) => s.objects.some((o) => pairOf(o) === 'blue circle'))).toBe(false);
    expect(custom.filter((s) => s.split === 'test').every((s) => s.objects.some((o) => pairOf(o) === 'blue circle'))).toBe(true);
    expect(() => generateShapeScenes({ seed: 1, counts: { train: 1, val: 0, test: 0 }, heldOut: ['purple circle'] })).toThrow(
      /held-out pair/,
    );
  });

  it('renders the objects where their boxes say, in their colour', async () => {
    const scene = FULL.find((s) => s.objects.length === 3)!;
    const img = await renderSceneRgb(scene);
    expect([img.width, img.height]).toEqual([224, 224]);
    const decoded = await sharp(await renderScenePng(scene))
      .raw()
      .toBuffer();
    expect(Buffer.from(img.pixels).equals(decoded)).toBe(true);
    const at = (x: number, y: number): number[] => [...img.pixels.subarray((y * 224 + x) * 3, (y * 224 + x) * 3 + 3)];
    for (const o of scene.objects) {
      // The lower-middle of the box is inside every shape (the triangle's apex is at the top).
      expect(at(Math.round(o.box.left + o.box.width / 2), Math.round(o.box.top + (o.box.height * 2) / 3))).toEqual(o.rgb);
    }
    expect(at(0, 0)).toEqual(scene.background);
    expect(sceneSvg(scene)).toMatch(/^<svg [^>]*width="224" height="224"/);
  });

  it('maps scenes to dataset records', () => {
    const [img] = shapesToCaptionedImages(FULL.slice(0, 1), '/data/shapes');
    expect(img).toEqual({
      id: 'train-0000',
      file: '/data/shapes/images/train-0000.png',
      captions: [FULL[0]!.caption],
      split: 'train',
      boxes: [FULL[0]!.boxes],
    });
  });
});

describe('shapes set on disk', () => {
  it('writes PNGs, a JSONL the loader reads without problems, and meta.json; rewrites cleanly', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'shapes-'));
    const options = { seed: 5, size: 128, counts: { train: 8, val: 2, test: 2 } };
    const result = await writeShapesDataset(out, options);
    expect(result.images).toBe(12);
    expect(result.perSplit).toEqual({ train: 8, val: 2, test: 2 });
    const { dataset, summary } = await loadJsonlDataset(path.join(out, CAPTIONS_FILE));
    expect(summary.skipped).toBe(0);
    expect(dataset.images).toEqual(shapesToCaptionedImages(generateShapeScenes(options), out));
    const meta = JSON.parse(readFileSync(path.join(out, META_FILE), 'utf8'));
    expect(meta).toMatchObject({ seed: 5, size: 128, counts: options.counts, heldOutPairs: DEFAULT_HELD_OUT });
    const first = generateShapeScenes(options)[0]!;
    expect(readFileSync(path.join(out, 'images', 'train-0000.png')).equals(await renderScenePng(first))).toBe(true);
    const info = await sharp(path.join(out, 'images', 'test-0001.png')).metadata();
    expect([info.width, info.height]).toEqual([128, 128]);

    await writeShapesDataset(out, { ...options, counts: { train: 4, val: 1, test: 1 } }, { force: true }); // shrinking needs force
    expect(readdirSync(path.join(out, 'images')).sort()).toEqual([
      'test-0000.png',
      'train-0000.png',
      'train-0001.png',
      'train-0002.png',
      'train-0003.png',
      'val-0000.png',
    ]);
    expect(existsSync(path.join(out, CAPTIONS_FILE))).toBe(true);
  });
});

describe('make-shapes keeps what the user has', () => {
  it('its defaults reproduce the committed data/shapes set: every caption line, and sampled images byte for byte', async () => {
    const committed = path.join(repoRootOf(), COMMITTED_SHAPES.out);
    const scenes = generateShapeScenes({
      seed: COMMITTED_SHAPES.seed,
      size: COMMITTED_SHAPES.size,
      counts: splitCounts(COMMITTED_SHAPES.count),
    });
    const lines = (await fs.readFile(path.join(committed, 'captions.jsonl'), 'utf8')).trim().split('\n');
    expect(scenes.map(jsonlLine)).toEqual(lines);
    for (const i of [0, 1234, 6000, 6750, 7499]) {
      const png = await renderScenePng(scenes[i]!);
      expect(Buffer.compare(png, await fs.readFile(path.join(committed, imageFileName(scenes[i]!)))), scenes[i]!.id).toBe(0);
    }
  });

  it('writing a smaller or different set over a folder needs --force (one line, exit 2, nothing deleted)', async () => {
    const out = await fs.mkdtemp(path.join(os.tmpdir(), 'shapes-force-'));
    const make = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRootOf(), 'scripts', 'make-shapes.ts'), '--out', out, ...args], {
        encoding: 'utf8',
      });
    expect(make('--count', '20').status).toBe(0);
    const images = async () => (await fs.readdir(path.join(out, 'images'))).length;
    expect(await images()).toBe(20);
    for (const args of [
      ['--count', '10'],
      ['--count', '20', '--seed', '2'],
    ]) {
      const r = make(...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/--force/);
      expect(await images()).toBe(20);
    }
    expect(make('--count', '30').status).toBe(0); // growing the same set is fine
    expect(make('--count', '10', '--force').status).toBe(0);
    expect(await images()).toBe(10);
    await fs.rm(out, { recursive: true, force: true });
  });
});
