/**
 * Score a trained captioner on one split of a dataset from its feature store: caption metrics for each
 * decoding setting (greedy, beam k, each length penalty) and, when the dataset has word boxes, attention grounding.
 */
import * as tf from '../util/tf.js';
import type { CaptionedImage } from '../data/dataset.js';
import type { FeatureStoreReader } from '../data/feature-store.js';
import { imagesToBatch } from '../encoder/preprocess.js';
import { prepareImage } from '../image/load.js';
import type { ContextMode } from '../decoder/context-mode.js';
import type { Caption, CaptionModel, DecodeSettings } from '../model/caption-model.js';
import type { TagSettings } from '../search/tag-guided.js';
import { assertSameEncoder, encoderConfigOf } from '../encoder/fingerprint.js';
import { encoderRegion } from '../image/region.js';
import { evaluateCaptions, referencesOf } from './evaluate.js';
import { attentionStats, type AttentionStats } from './attention-stats.js';
import { captionStats, type CaptionStats } from './caption-stats.js';
import { objectNaming, type ObjectNaming } from './object-naming.js';
import { evaluateGrounding, type GroundingImage, type GroundingStats } from './grounding.js';

export interface SettingResult {
  beamSize: number;
  lengthPenalty: number;
  context: ContextMode;
  /** Tag-guided decoding's settings, and how many captions tried a constraint and kept it. */
  tags?: TagSettings & { tried: number; kept: number };
  scores: Record<string, number>;
  grounding?: { overall: GroundingStats; heldOut: GroundingStats; seen: GroundingStats };
  /** α entropy by word class and how much the map changes from word to word. */
  attention: AttentionStats;
  /** Mean length and the share of captions ending on a function word. */
  lengths: CaptionStats;
  /** Whether captions name the COCO objects the references name (object-naming.ts). */
  objects: ObjectNaming;
  captionsPerSecond: number;
  examples: { id: string; caption: string; references: string[] }[];
}

export interface EvaluateOptions {
  images: readonly CaptionedImage[];
  beams: readonly number[];
  /** Length penalties to try with each beam size > 1 (default [0]; greedy decoding ignores them). */
  lengthPenalties?: readonly number[];
  /** Context modes to try with each (default ['expected']; 'argmax' for hard-attention models). */
  contexts?: readonly ContextMode[];
  /** Tag-guided settings to try with each beam size (undefined = plain captions; default [undefined]). */
  tagSettings?: readonly (TagSettings | undefined)[];
  maxLength: number;
  heldOut: readonly string[];
  /** Let <unk> appear in captions (default: never). */
  allowUnk?: boolean;
  batchSize?: number;
  examples?: number;
}

async function captionAll(
  captioner: CaptionModel,
  store: FeatureStoreReader,
  images: readonly CaptionedImage[],
  settings: DecodeSettings,
  batchSize: number,
): Promise<Caption[]> {
  const out: Caption[] = [];
  const { regions, depth } = store.header;
  // A detector tagger looks at the photos themselves, prepared as the encoder's input was.
  const { inputSize, resize } = encoderConfigOf(store.header.encoder);
  const needPhotos = settings.tags !== undefined && captioner.tagger?.needsPhotos === true;
  for (let i = 0; i < images.length; i += batchSize) {
    const chunk = images.slice(i, i + batchSize);
    const values = await store.read(chunk.map((im) => im.id));
    const features = tf.tensor3d(values, [chunk.length, regions, depth]); // [B, L, D]
    const photos = needPhotos
      ? imagesToBatch(await Promise.all(chunk.map((im) => prepareImage(im.file, { size: inputSize, policy: resize }))))
      : undefined; // [B, S, S, 3]
    try {
      out.push(...captioner.caption(features, settings, photos));
    } finally {
      tf.dispose(photos ? [features, photos] : [features]);
    }
  }
  return out;
}

export async function evaluateCheckpoint(captioner: CaptionModel, store: FeatureStoreReader, o: EvaluateOptions): Promise<SettingResult[]> {
  assertSameEncoder(captioner.encoderId, store.header.encoder);
  const refs = referencesOf(o.images);
  const policy = encoderConfigOf(store.header.encoder).resize;
  const sizes = new Map(store.records.map((r) => [r.key, r]));
  const results: SettingResult[] = [];
  const settings = (o.contexts ?? ['expected']).flatMap((context) =>
    o.beams.flatMap((beamSize) =>
      (beamSize === 1 ? [0] : (o.lengthPenalties ?? [0])).flatMap((lengthPenalty) =>
        (o.tagSettings ?? [undefined]).map((tags) => ({ beamSize, lengthPenalty, context, tags })),
      ),
    ),
  );
  for (const { beamSize, lengthPenalty, context, tags } of settings) {
    const t0 = performance.now();
    const captions = await captionAll(
      captioner,
      store,
      o.images,
      { beamSize, lengthPenalty, context, maxLength: o.maxLength, allowUnk: o.allowUnk ?? false, tags },
      o.batchSize ?? 50,
    );
    const seconds = (performance.now() - t0) / 1000;
    // The model's own words, as validation scores them (the references are tokenized by the scorers).
    const cands = new Map(o.images.map((im, i) => [im.id, captions[i]!.words.map((w) => w.word)]));
    const scores = Object.fromEntries([...evaluateCaptions(refs, cands)].map(([name, s]) => [name, s.corpus]));
    const result: SettingResult = {
      beamSize,
      lengthPenalty,
      context,
      ...(tags
        ? { tags: { ...tags, tried: captions.filter((c) => c.constraint).length, kept: captions.filter((c) => c.constraint?.used).length } }
        : {}),
      scores,
      attention: attentionStats(captions),
      lengths: captionStats(cands.values()),
      objects: objectNaming(
        o.images.map((im) => im.captions),
        [...cands.values()],
      ),
      captionsPerSecond: o.images.length / seconds,
      examples: o.images.slice(0, o.examples ?? 5).map((im, i) => ({ id: im.id, caption: captions[i]!.text, references: im.captions })),
    };
    if (o.images.some((im) => im.boxes)) {
      const grounded: GroundingImage[] = o.images.flatMap((im, i) => {
        const size = sizes.get(im.id);
        if (!im.boxes?.[0] || !size) return [];
        const c = captions[i]!;
        return [
          {
            id: im.id,
            words: c.words.map((w) => w.word),
            alphas: c.words.map((w) => w.alpha),
            grid: captioner.grid,
            region: encoderRegion(policy, size.width, size.height),
            boxes: im.boxes[0],
          },
        ];
      });
      const g = evaluateGrounding(grounded, o.heldOut);
      result.grounding = { overall: g.overall, heldOut: g.heldOut, seen: g.seen };
    }
    results.push(result);
  }
  return results;
}
