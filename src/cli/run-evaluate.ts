/** The `evaluate` command's work: caption a split from its feature store, print and save the scores. */
import { constants as fsConstants, existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../backend/select.js';
import { requestedBackend } from './backend-option.js';
import { imagesOf } from '../data/dataset.js';
import { FeatureStoreReader } from '../data/feature-store.js';
import { datasetSourcesOf, loadDatasets } from '../data/dataset-sources.js';
import type { DatasetFormat } from '../data/load-dataset.js';
import { checkpointFolder } from '../checkpoint/checkpoint.js';
import { DECODING_FILE, type DecodingFile } from '../checkpoint/decoding.js';
import { CaptionModel } from '../model/caption-model.js';
import { writeJsonAtomic } from '../util/atomic-write.js';
import { arrayOf, checkShape, optional } from '../util/json-shape.js';
import { FileInputError } from '../util/user-error.js';
import { evaluateCheckpoint, type SettingResult } from '../eval/evaluate-checkpoint.js';
import { parseBeams, parseContexts, parseLengthPenalties, parseTagSettings, type EvaluateArgs } from './evaluate-options.js';
import type { MetricName } from '../eval/metric-names.js';

/** Held-out colour–shape pairs recorded by make-shapes in the dataset's meta.json, if any. */
async function heldOutPairs(datasetFile: string): Promise<string[]> {
  const meta = path.join(path.dirname(datasetFile), 'meta.json');
  if (!existsSync(meta)) return [];
  let value: unknown;
  try {
    value = JSON.parse(await fs.readFile(meta, 'utf8'));
  } catch {
    throw new FileInputError(meta, 'corrupt dataset description (not JSON)');
  }
  return (
    checkShape<{ heldOutPairs?: string[] }>(value, { heldOutPairs: optional(arrayOf('string')) }, meta, 'dataset description')
      .heldOutPairs ?? []
  );
}

function formatRow(r: SettingResult): string {
  const s = Object.entries(r.scores)
    .map(([k, v]) => `${k} ${(v * (k.startsWith('CIDEr') ? 1 : 100)).toFixed(2)}`)
    .join('  ');
  const g = r.grounding
    ? `\n    grounding: pointing ${r.grounding.overall.pointing.toFixed(3)} (held-out ${r.grounding.heldOut.pointing.toFixed(3)}), ` +
      `mass ${r.grounding.overall.mass.toFixed(3)} (held-out ${r.grounding.heldOut.mass.toFixed(3)}), chance ${r.grounding.overall.chance.toFixed(3)}, words ${r.grounding.overall.words}`
    : '';
  const e = r.attention.entropy;
  const a =
    `\n    attention entropy (nats, uniform ${r.attention.uniformEntropy.toFixed(2)}): nouns ${e.noun.mean.toFixed(2)} (${e.noun.words}), ` +
    `function words ${e.function.mean.toFixed(2)} (${e.function.words}), other ${e.other.mean.toFixed(2)}; ` +
    `word-to-word map change ${r.attention.consecutiveDistance.toFixed(3)}`;
  const l = `\n    mean length ${r.lengths.meanLength.toFixed(2)} words, bad endings ${(100 * r.lengths.badEndingRate).toFixed(1)} %`;
  const o = r.objects;
  const obj =
    `\n    objects (COCO classes, person excluded): main object named ${o.mainObjectHits}/${o.mainObjectImages} (${(100 * o.mainObjectNamed).toFixed(0)} %), ` +
    `precision ${o.precision.toFixed(3)}, recall ${o.recall.toFixed(3)}, F1 ${o.f1.toFixed(3)}`;
  const tagged = r.tags
    ? `, tags ≥ ${r.tags.threshold} margin ${r.tags.margin}${r.tags.classes === 2 ? ' top-2' : ''} (constraint tried ${r.tags.tried}, kept ${r.tags.kept})`
    : '';
  const setting = `${r.beamSize === 1 ? 'greedy' : `beam ${r.beamSize}${r.lengthPenalty ? `, length penalty ${r.lengthPenalty}` : ''}`}${r.context === 'argmax' ? ', argmax context' : ''}${tagged}`;
  return `${setting}: ${s}  (${r.captionsPerSecond.toFixed(1)} captions/s)${g}${a}${l}${obj}`;
}

/**
 * The best setting by `metric`, written atomically as the checkpoint's decoding.json. Settings within
 * `within` of the best score count as equal: the first listed of them wins (the smaller beam and
 * penalty, as the flags list them), so a difference below the noise does not buy a slower search.
 */
async function chooseDecoding(
  checkpoint: string,
  results: readonly SettingResult[],
  metric: MetricName,
  split: string,
  images: number,
  within: number,
): Promise<DecodingFile> {
  const top = Math.max(...results.map((r) => r.scores[metric] ?? -Infinity));
  const best = results.find((r) => (r.scores[metric] ?? -Infinity) >= top - within)!;
  const chosen: DecodingFile = {
    beamSize: best.beamSize,
    lengthPenalty: best.lengthPenalty,
    context: best.context,
    ...(best.tags
      ? { tags: { threshold: best.tags.threshold, margin: best.tags.margin, ...(best.tags.classes === 2 ? { classes: 2 } : {}) } }
      : {}),
    chosenBy: {
      metric,
      split,
      images,
      score: best.scores[metric]!,
      ...(within > 0 ? { within, bestScore: top } : {}),
      candidates: results.map((r) => ({
        beamSize: r.beamSize,
        lengthPenalty: r.lengthPenalty,
        context: r.context,
        ...(r.tags ? { tags: { threshold: r.tags.threshold, margin: r.tags.margin } } : {}),
        score: r.scores[metric]!,
      })),
    },
  };
  await writeJsonAtomic(path.join(checkpoint, DECODING_FILE), chosen);
  return chosen;
}

export async function runEvaluate(args: EvaluateArgs): Promise<number> {
  const beams = parseBeams(args.beams);
  const lengthPenalties = parseLengthPenalties(args['length-penalties']);
  const contexts = parseContexts(args.contexts);
  const tagSettings = parseTagSettings(args['tag-thresholds'], args['tag-margins'], args['tag-classes']);
  if (args.choose) {
    // Fail before the evaluation, not after it, when the choice could not be written.
    await fs.access(args.checkpoint, fsConstants.W_OK).catch(() => {
      throw new FileInputError(
        path.join(args.checkpoint, DECODING_FILE),
        '--choose cannot write it: the checkpoint folder is not writable',
      );
    });
  }
  await selectBackend({ requested: requestedBackend(args.backend) });
  const { dataset } = await loadDatasets(datasetSourcesOf(args), args.format as DatasetFormat | 'auto');
  const images = imagesOf(dataset, args.split);
  const store = await FeatureStoreReader.open(args.features);
  const captioner = await CaptionModel.read(await checkpointFolder(args.checkpoint), tagSettings.some(Boolean));
  try {
    const heldOut = await heldOutPairs(args.dataset[0]!);
    const results = await evaluateCheckpoint(captioner, store, {
      images,
      beams,
      lengthPenalties,
      contexts,
      tagSettings,
      maxLength: args['max-len'],
      heldOut,
      allowUnk: args['allow-unk'],
    });
    for (const r of results) process.stdout.write(`${formatRow(r)}\n`);
    if (args.out) {
      await writeJsonAtomic(args.out, {
        checkpoint: args.checkpoint,
        encoder: captioner.encoderId,
        dataset: args.dataset,
        split: args.split,
        images: images.length,
        heldOutPairs: heldOut,
        command: `npm run evaluate -- ${process.argv.slice(2).join(' ')}`,
        results,
      });
    }
    if (args.choose) {
      const c = await chooseDecoding(args.checkpoint, results, args.choose, args.split, images.length, args['choose-within']);
      process.stdout.write(
        `decoding defaults → ${path.join(args.checkpoint, DECODING_FILE)}: beam ${c.beamSize}, length penalty ${c.lengthPenalty}, ${c.context} context${c.tags ? `, tags ≥ ${c.tags.threshold} margin ${c.tags.margin}` : ', no tags'} (${args.choose} ${c.chosenBy!.score.toFixed(4)} on ${args.split})\n`,
      );
    }
  } finally {
    captioner.dispose();
    await store.close();
  }
  return 0;
}
