/**
 * `npm run grounding`: the attention benchmark on real photos with COCO boxes (box-grounding.ts). For
 * every photo of a COCO instances file, the checkpoint captions it (its decoding defaults) and explains
 * its reference captions (teacher forcing); every word naming a COCO class boxed in the photo is scored
 * against that class's boxes, beside four baselines. Prints the table; `--out` writes it as JSON.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as tf from '../util/tf.js';
import { openSession } from '../api/session.js';
import { selectBackend, type BackendRequest } from '../backend/select.js';
import { imagesToBatch } from '../encoder/preprocess.js';
import { prepareImage } from '../image/load.js';
import type { PreparedImage } from '../image/types.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { FileInputError, UserError } from '../util/user-error.js';
import { boxTarget, METHODS, scoreWords, summarize, type Box, type GroundingSummary, type GroundingWord } from '../eval/box-grounding.js';
import { COCO_CLASSES, findClassMentions } from '../data/coco-classes.js';

export interface GroundingArgs {
  checkpoint: string;
  instances: string;
  captions: string | undefined;
  images: string;
  limit: number;
  out: string | undefined;
  encoderWeights: string | undefined;
  backend: BackendRequest | undefined;
}

interface CocoImage {
  id: number;
  file_name: string;
}
interface CocoInstances {
  images: CocoImage[];
  annotations: { image_id: number; category_id: number; bbox: [number, number, number, number] }[];
}
interface CocoCaptions {
  annotations: { image_id: number; caption: string }[];
}

async function readJson<T>(file: string, check: (v: unknown) => boolean, what: string): Promise<T> {
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new FileInputError(file, (err as { code?: string }).code === 'ENOENT' ? 'no such file' : 'is not valid JSON');
  }
  if (!check(value)) throw new FileInputError(file, `is not a COCO ${what} file`);
  return value as T;
}

const hasArrays =
  (...keys: string[]) =>
  (v: unknown) =>
    typeof v === 'object' && v !== null && keys.every((k) => Array.isArray((v as Record<string, unknown>)[k]));

/** The words of one caption that name a class with boxes in the photo, ready to score. */
function wordsOf(
  image: string,
  tokens: readonly string[],
  alphas: readonly (readonly number[])[],
  boxes: Map<number, Box[]>,
  geometry: { grid: { height: number; width: number }; region: PreparedImage['region'] },
  source: GroundingWord['source'],
): GroundingWord[] {
  const out: GroundingWord[] = [];
  for (const m of findClassMentions(tokens)) {
    const classBoxes = boxes.get(m.cls.id);
    if (!classBoxes) continue;
    const target = boxTarget(classBoxes, geometry);
    if (target.share === 0) continue; // its boxes lie outside what the encoder sees (center-crop)
    const others = alphas.filter((_, t) => t < m.start || t > m.end);
    out.push({
      image,
      cls: m.cls.name,
      word: tokens.slice(m.start, m.end + 1).join(' '),
      source,
      alpha: alphas[m.end]!,
      others,
      target,
      grid: geometry.grid,
    });
  }
  return out;
}

export interface GroundingReport {
  checkpoint: string;
  encoder: string;
  grid: { height: number; width: number };
  images: number;
  reference: GroundingSummary;
  generated: GroundingSummary;
}

export async function runGrounding(
  args: GroundingArgs,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<GroundingReport> {
  await selectBackend({ requested: args.backend });
  const instances = await readJson<CocoInstances>(args.instances, hasArrays('images', 'annotations'), 'instances');
  const captions = args.captions ? await readJson<CocoCaptions>(args.captions, hasArrays('annotations'), 'captions') : undefined;
  const known = new Set(COCO_CLASSES.map((c) => c.id));
  const boxesOf = new Map<number, Map<number, Box[]>>();
  for (const a of instances.annotations) {
    if (!known.has(a.category_id)) continue;
    const perClass = boxesOf.get(a.image_id) ?? new Map<number, Box[]>();
    const [x, y, width, height] = a.bbox;
    perClass.set(a.category_id, [...(perClass.get(a.category_id) ?? []), { x, y, width, height }]);
    boxesOf.set(a.image_id, perClass);
  }
  const refsOf = new Map<number, string[]>();
  for (const c of captions?.annotations ?? []) refsOf.set(c.image_id, [...(refsOf.get(c.image_id) ?? []), c.caption]);
  const images = instances.images.filter((im) => boxesOf.has(im.id)).slice(0, args.limit > 0 ? args.limit : undefined);
  if (images.length === 0) throw new UserError(`${args.instances}: no image has a box of a COCO class`);

  const session = await openSession(args.checkpoint, args.encoderWeights);
  const { decoder, encoder } = session;
  const decoding = decoder.decoding;
  const words: GroundingWord[] = [];
  try {
    for (let i = 0; i < images.length; i += encoder.batchSize) {
      const batch = images.slice(i, i + encoder.batchSize);
      const prepared = await Promise.all(batch.map((im) => prepareImage(path.join(args.images, im.file_name), encoder.imageOptions)));
      const features = tf.tidy(() => encoder.encode(imagesToBatch(prepared))); // [B, L, D]
      try {
        const generated = decoder.caption(features, {
          beamSize: decoding.beamSize,
          lengthPenalty: decoding.lengthPenalty,
          context: decoding.context,
          maxLength: 20,
        });
        for (const [k, im] of batch.entries()) {
          const geometry = { grid: decoder.grid, region: prepared[k]!.region };
          const boxes = boxesOf.get(im.id)!;
          const g = generated[k]!;
          words.push(
            ...wordsOf(
              im.file_name,
              g.words.map((w) => w.word),
              g.words.map((w) => w.alpha),
              boxes,
              geometry,
              'generated',
            ),
          );
          const refs = refsOf.get(im.id) ?? [];
          if (refs.length === 0) continue;
          const rows = tf.tidy(() => tf.gather(features, Array<number>(refs.length).fill(k))) as tf.Tensor3D; // [R, L, D]
          const explained = decoder.explain(rows, refs);
          rows.dispose();
          for (const e of explained)
            words.push(
              ...wordsOf(
                im.file_name,
                e.words.map((w) => w.word),
                e.words.map((w) => w.alpha),
                boxes,
                geometry,
                'reference',
              ),
            );
        }
      } finally {
        features.dispose();
      }
      log(`grounding: ${Math.min(i + encoder.batchSize, images.length)}/${images.length} photos, ${words.length} object words`);
    }
  } finally {
    session.dispose();
  }
  const of = (source: GroundingWord['source']) => summarize(scoreWords(words.filter((w) => w.source === source)));
  const report: GroundingReport = {
    checkpoint: args.checkpoint,
    encoder: decoder.encoderId,
    grid: decoder.grid,
    images: images.length,
    reference: of('reference'),
    generated: of('generated'),
  };
  process.stdout.write(formatReport(report));
  if (args.out) await writeJsonAtomic(args.out, report);
  return report;
}

const pct = (e: { mean: number; low: number; high: number }, digits = 2): string =>
  Number.isNaN(e.mean) ? '-' : `${e.mean.toFixed(digits)} [${e.low.toFixed(digits)}, ${e.high.toFixed(digits)}]`;

function formatReport(r: GroundingReport): string {
  const lines = [
    `grounding of ${r.checkpoint} (${r.grid.height}×${r.grid.width} grid) on ${r.images} photos; 95 % bootstrap intervals over photos`,
  ];
  for (const source of ['reference', 'generated'] as const) {
    const s = r[source];
    lines.push(
      '',
      `${source === 'reference' ? 'reference captions, teacher-forced' : "the model's own captions"}: ${s.words} object words in ${s.images} photos`,
    );
    lines.push(`${'method'.padEnd(14)}${'pointing'.padStart(22)}${'mass ratio'.padStart(22)}`);
    for (const m of METHODS)
      lines.push(`${m.padEnd(14)}${pct(s.methods[m].pointing).padStart(22)}${pct(s.methods[m].massRatio).padStart(22)}`);
    lines.push(`attention − ${s.bestBaseline} (best baseline), pointing: ${pct(s.pointingOverBest)}`);
    if (s.perClass.length)
      lines.push(
        `per class (words, pointing, mass ratio, ${s.bestBaseline} pointing): ${s.perClass
          .slice(0, 12)
          .map((c) => `${c.cls} ${c.words} ${c.pointing.toFixed(2)} ${c.massRatio.toFixed(1)} ${c.baselinePointing.toFixed(2)}`)
          .join('; ')}`,
      );
  }
  return `${lines.join('\n')}\n`;
}
