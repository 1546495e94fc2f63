/**
 * The shapes set on disk: `images/<id>.png`, `captions.jsonl` (read by `loadJsonlDataset`) and
 * `meta.json` (seed, counts, held-out pairs, grammar). Regenerating into the same folder replaces
 * the set and removes images of ours that the new set no longer has; other files are left alone.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../util/atomic-write.js';
import { FileInputError } from '../../util/user-error.js';
import { SPLITS, type Split } from '../dataset.js';
import { COLOUR_RGB, DEFAULT_HELD_OUT, pairOf, SHAPES } from './grammar.js';
import { generateShapeScenes, imageFileName, type ShapeScene, type ShapesOptions } from './generate.js';
import { renderScenePng } from './render.js';

export const CAPTIONS_FILE = 'captions.jsonl';
export const META_FILE = 'meta.json';
const OUR_IMAGE = /^(train|val|test)-\d+\.png$/;

export interface ShapesWriteResult {
  out: string;
  images: number;
  perSplit: Record<Split, number>;
  /** Bytes of all PNGs written. */
  imageBytes: number;
  elapsedMs: number;
}

export function jsonlLine(s: ShapeScene): string {
  return JSON.stringify({
    id: s.id,
    image: imageFileName(s),
    split: s.split,
    captions: [s.caption],
    boxes: [s.boxes],
    arrangement: s.arrangement,
    objects: s.objects.map((o) => ({ colour: o.colour, shape: o.shape, box: o.box })),
  });
}

function metaOf(options: ShapesOptions, scenes: readonly ShapeScene[]): object {
  const stats = Object.fromEntries(
    SPLITS.map((split) => {
      const inSplit = scenes.filter((s) => s.split === split);
      const objects: Record<string, number> = { 1: 0, 2: 0, 3: 0 };
      const pairs: Record<string, number> = {};
      for (const s of inSplit) {
        objects[s.objects.length] = (objects[s.objects.length] ?? 0) + 1;
        for (const o of s.objects) pairs[pairOf(o)] = (pairs[pairOf(o)] ?? 0) + 1;
      }
      return [split, { images: inSplit.length, objectsPerImage: objects, pairs }];
    }),
  );
  return {
    generator: 'attend-caption shapes',
    version: 1,
    seed: options.seed,
    size: options.size ?? 224,
    counts: options.counts,
    heldOutPairs: options.heldOut ?? DEFAULT_HELD_OUT,
    colours: COLOUR_RGB,
    shapes: SHAPES,
    grammar: {
      caption: 'object | object relation object | object relation object relation object',
      object: '"a" colour shape',
      relation: '"left of" (row, named left to right) | "above" (column, named top to bottom)',
      boxes: 'each colour and shape word has its object\'s bounding box (pixels)',
    },
    files: { captions: CAPTIONS_FILE, images: 'images/' },
    splits: stats,
  };
}

/** Runs `task` over `items` with at most `limit` at a time. */
async function forEachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Nothing the user had is lost by accident: writing fewer images than the folder holds (which deletes
 * the rest), or another seed or size over an existing set, needs `force`.
 */
async function refuseToShrink(out: string, imageDir: string, count: number, options: ShapesOptions): Promise<void> {
  const existing = (await fs.readdir(imageDir).catch(() => [] as string[])).filter((n) => OUR_IMAGE.test(n)).length;
  if (existing > count) {
    throw new FileInputError(out, `holds ${existing} shapes images; writing ${count} would delete ${existing - count} of them (pass --force to replace the set)`);
  }
  const meta = await fs.readFile(path.join(out, META_FILE), 'utf8').then((t) => JSON.parse(t) as { seed?: unknown; size?: unknown }, () => undefined);
  if (existing > 0 && meta && (meta.seed !== options.seed || meta.size !== options.size)) {
    throw new FileInputError(out, `holds a set made with seed ${meta.seed} and size ${meta.size}; writing seed ${options.seed}, size ${options.size} over it needs --force`);
  }
}

/** Generates the set into `out` (created if needed; FileInputError if it is a file). */
export async function writeShapesDataset(out: string, options: ShapesOptions, write: { force?: boolean } = {}): Promise<ShapesWriteResult> {
  const started = performance.now();
  const scenes = generateShapeScenes(options);
  const stat = await fs.stat(out).catch(() => null);
  if (stat && !stat.isDirectory()) throw new FileInputError(out, 'exists and is not a folder');
  const imageDir = path.join(out, 'images');
  if (!write.force) await refuseToShrink(out, imageDir, scenes.length, options);
  await fs.mkdir(imageDir, { recursive: true });
  let imageBytes = 0;
  await forEachLimited(scenes, Math.max(1, os.availableParallelism()), async (scene) => {
    const png = await renderScenePng(scene);
    imageBytes += png.byteLength;
    await writeFileAtomic(path.join(out, imageFileName(scene)), png);
  });
  const keep = new Set(scenes.map((s) => `${s.id}.png`));
  for (const name of await fs.readdir(imageDir)) {
    if (OUR_IMAGE.test(name) && !keep.has(name)) await fs.rm(path.join(imageDir, name), { force: true });
  }
  await writeFileAtomic(path.join(out, CAPTIONS_FILE), `${scenes.map(jsonlLine).join('\n')}\n`);
  await writeJsonAtomic(path.join(out, META_FILE), metaOf(options, scenes));
  const perSplit = { train: 0, val: 0, test: 0 };
  for (const s of scenes) perSplit[s.split] += 1;
  return { out, images: scenes.length, perSplit, imageBytes, elapsedMs: performance.now() - started };
}
