/**
 * Attention targets for training: where, in a training photo, a caption word that names a COCO class
 * should be looked for (Liu et al. 2017 supervise attention with boxes; here the maps come from a
 * network trained on COCO's boxes, e.g. `runs/attention/detector-maps.ts`). The file:
 *   { "format": "attend-caption/attention-targets", "version": 1, "grid": { "height": 7, "width": 7 },
 *     "source": "…", "images": { "<image id>": { "<COCO category id>": [L scores in 0..1, row-major] } } }
 * A word is supervised when its image has a map for the class it names (the last word of a mention:
 * "teddy bear" → "bear"); the target is the map's cells scoring at least half its best, normalised.
 */
import { promises as fs } from 'node:fs';
import { findClassMentions } from '../data/coco-classes.js';
import type { Vocabulary } from '../data/vocabulary.js';
import { checkShape, recordOf } from '../util/json-shape.js';
import { FileInputError } from '../util/user-error.js';

export const ATTENTION_TARGETS_FORMAT = 'attend-caption/attention-targets';

export interface AttentionTargetsFile {
  format: typeof ATTENTION_TARGETS_FORMAT;
  version: 1;
  grid: { height: number; width: number };
  source: string;
  /** image id → COCO category id → L scores. */
  images: Record<string, Record<string, number[]>>;
}

/** Per image, per COCO category id: the target distribution over the L regions. */
export interface AttentionTargets {
  grid: { height: number; width: number };
  maps: ReadonlyMap<string, ReadonlyMap<number, Float32Array>>;
}

/** The cells scoring at least half the best, normalised to sum to 1 (null for an all-zero map). */
export function targetDistribution(scores: readonly number[]): Float32Array | null {
  const best = Math.max(...scores);
  if (!(best > 0)) return null;
  const kept = scores.map((s) => (s >= best / 2 ? s : 0));
  const sum = kept.reduce((a, b) => a + b, 0);
  return Float32Array.from(kept, (s) => s / sum);
}

export async function readAttentionTargets(file: string, regions: number): Promise<AttentionTargets> {
  let json: unknown;
  try {
    json = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new FileInputError(file, e.code === 'ENOENT' ? 'no such file' : `not JSON (${e.message})`);
  }
  const parsed = checkShape<AttentionTargetsFile>(
    json,
    { format: 'string', version: 'int', grid: { height: 'int', width: 'int' }, source: 'string', images: recordOf(recordOf('any')) },
    file,
    'attention targets',
  );
  if (parsed.format !== ATTENTION_TARGETS_FORMAT || parsed.version !== 1) {
    throw new FileInputError(file, `not an attention-targets file (format ${parsed.format} version ${parsed.version})`);
  }
  const { height, width } = parsed.grid;
  if (height * width !== regions) {
    throw new FileInputError(file, `its maps are ${height}×${width} = ${height * width} regions, the features have ${regions}`);
  }
  const maps = new Map<string, Map<number, Float32Array>>();
  for (const [key, classes] of Object.entries(parsed.images)) {
    const perClass = new Map<number, Float32Array>();
    for (const [id, scores] of Object.entries(classes)) {
      if (!Array.isArray(scores) || scores.length !== regions || !scores.every((v) => typeof v === 'number' && v >= 0)) {
        throw new FileInputError(file, `corrupt attention targets: images.${key}.${id} must be ${regions} numbers ≥ 0`);
      }
      const target = targetDistribution(scores as number[]);
      if (target) perClass.set(Number(id), target);
    }
    if (perClass.size) maps.set(key, perClass);
  }
  return { grid: { height, width }, maps };
}

/** A batch's supervision, time-major as the loss takes it: targets [T, B, L], weights [T, B]. */
export interface BatchAttentionTargets {
  targets: Float32Array;
  weights: Float32Array;
  /** Supervised words in the batch. */
  count: number;
}

/**
 * The targets of a batch: `rows[b]` is caption b's token ids (<start> w_1 … <end> <pad>…, width
 * T + 1), `keys[b]` its image. Target step t predicts w_{t+1}, so a word at position t (0-based
 * among w_1 …) is supervised at step t.
 */
export function batchAttentionTargets(
  targets: AttentionTargets,
  vocab: Vocabulary,
  keys: readonly string[],
  rows: readonly (readonly number[])[],
  regions: number,
): BatchAttentionTargets {
  const B = rows.length;
  const T = (rows[0]?.length ?? 1) - 1;
  const out = { targets: new Float32Array(T * B * regions), weights: new Float32Array(T * B), count: 0 };
  rows.forEach((ids, b) => {
    const maps = targets.maps.get(keys[b]!);
    if (!maps) return;
    const words = vocab.decode(ids.slice(1)); // w_1 … up to <end>, positions kept
    for (const mention of findClassMentions(words)) {
      const target = maps.get(mention.cls.id);
      if (!target) continue;
      const t = mention.end;
      out.targets.set(target, (t * B + b) * regions);
      out.weights[t * B + b] = 1;
      out.count++;
    }
  });
  return out;
}
